/**
 * `GET /v1/provider`: who provides the caller's hosting (the reseller or platform above it), so
 * a customer refused something its package does not give can be told whom to ask. The parent's
 * name and e-mail only: the tree above the caller stays out of its reach otherwise.
 */
import { Type, type RouteApp } from '@hostplane/sdk';
import { actorOf, errorResponses, Uuid, type AccountsDeps } from './common.js';

const ProviderSchema = Type.Object({
  provider: Type.Union([
    Type.Object({ id: Uuid, name: Type.String(), email: Type.String(), role: Type.String() }),
    Type.Null({ description: 'Nobody above the caller (the platform administrators)' }),
  ]),
});

export function providerRoutes(deps: Pick<AccountsDeps, 'users'>) {
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'accounts.subscription.read' },
        schema: {
          summary: 'Who provides my hosting: the reseller (or platform) above me',
          description: 'A technical user is provided for by its customer’s provider.',
          tags: ['subscriptions'],
          response: { 200: ProviderSchema, ...errorResponses },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const me = await deps.users.get(actor.userId);
        let parentId = me?.parentId ?? null;
        if (actor.role === 'technical_user' && parentId) parentId = (await deps.users.get(parentId))?.parentId ?? null;
        const parent = parentId ? await deps.users.get(parentId) : undefined;
        return {
          provider: parent ? { id: parent.id, name: parent.name, email: parent.email, role: parent.role } : null,
        };
      },
    );
  };
}
