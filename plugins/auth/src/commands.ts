/** CLI: `hostplane auth revoke-sessions <email>`. */
import type { CommandDefinition } from '@hostplane/sdk';
import { UserNotFound } from './errors.js';
import { revokeEverything } from './services/accounts.js';
import type { AuthDeps } from './services/context.js';

export function revokeSessionsCommand(deps: AuthDeps): CommandDefinition<unknown, unknown> {
  return {
    name: 'revoke-sessions',
    description: 'End every session and API token of a user (they must sign in again)',
    usage: '<email>',
    async run(args, io) {
      const [email, ...rest] = args;
      if (!email || rest.length > 0) {
        io.err('usage: hostplane auth revoke-sessions <email>');
        return 2;
      }
      const user = await deps.users.getByEmail(email);
      if (!user) throw UserNotFound(email);
      const revoked = await revokeEverything(deps, user.id, { actorId: null, via: 'cli' }, null);
      io.out(`revoked ${revoked.sessions} session(s) and ${revoked.apiTokens} API token(s) of ${user.email}`);
      return 0;
    },
  };
}
