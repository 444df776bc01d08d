/** GET /login-history: my sign-in attempts, newest first, in pages. */
import { Type, type RouteApp } from '@hostplane/sdk';
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

export function loginHistoryRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/login-history',
      {
        config: { authenticated: true },
        schema: {
          summary: 'My sign-in attempts: time, IP, user agent, success or why not, 2FA used',
          tags: ['auth'],
          querystring: Type.Object(
            {
              limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
              before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'nextCursor of the previous page' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(EntrySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
            401: ErrorSchema,
          },
        },
      },
      async (request) => {
        const page = await deps.history.list(actorOf(request).userId, {
          limit: request.query.limit,
          ...(request.query.before !== undefined ? { before: request.query.before } : {}),
        });
        return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
      },
    );
  };
}
