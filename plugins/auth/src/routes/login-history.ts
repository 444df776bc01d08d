/** GET /login-history: my sign-in attempts, newest first, in pages. */
import { Type, type RouteApp, type Static } from '@hostplane/sdk';
import type { AuthDeps } from '../services/context.js';
import { actorOf, DateTime, ErrorSchema } from './shared.js';

const EntrySchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  success: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
  twoFactor: Type.Boolean(),
});

export const LoginHistoryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    // At most 18 digits: 19 admit values past bigint's range, a 500 from PostgreSQL.
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const LoginHistoryPage = Type.Object({
  items: Type.Array(EntrySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** One page of `userId`'s history, as the routes answer it. */
export async function loginHistoryPage(
  deps: AuthDeps,
  userId: string,
  query: Static<typeof LoginHistoryQuery>,
): Promise<Static<typeof LoginHistoryPage>> {
  const page = await deps.history.list(userId, {
    limit: query.limit,
    ...(query.before !== undefined ? { before: query.before } : {}),
  });
  return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
}

export function loginHistoryRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/login-history',
      {
        config: { authenticated: true },
        schema: {
          summary: 'My sign-in attempts: time, IP, user agent, success or why not, 2FA used',
          tags: ['auth'],
          querystring: LoginHistoryQuery,
          response: { 200: LoginHistoryPage, 401: ErrorSchema },
        },
      },
      async (request) => loginHistoryPage(deps, actorOf(request).userId, request.query),
    );
  };
}
