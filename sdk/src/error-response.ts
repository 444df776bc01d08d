/**
 * The error body every route answers with, as a schema for routes' `response` maps: the host's
 * error handler writes `{ "error": { "code", "message", "details"?, "requestId" } }` for any
 * thrown {@link HostplaneError}, so routes declare it rather than define it each.
 */
import type { TObject, TOptional, TString, TUnknown } from '@sinclair/typebox';
import { Type } from '#typebox';

/** Schema of an error response body. */
export const ErrorResponseSchema: TObject<{
  error: TObject<{ code: TString; message: TString; details: TOptional<TUnknown>; requestId: TString }>;
}> = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable code, e.g. COMMON_ERR_FORBIDDEN' }),
        message: Type.String(),
        details: Type.Optional(Type.Unknown()),
        requestId: Type.String(),
      },
      { additionalProperties: true },
    ),
  },
  { description: 'Error' },
);

/**
 * `{ [status]: ErrorResponseSchema }` for each status, to spread into a route's `response`.
 *
 * @example
 * ```ts
 * schema: { response: { 200: Greeting, ...errorResponses(400, 404) } }
 * ```
 */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorResponseSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponseSchema])) as Record<S, typeof ErrorResponseSchema>;
}
