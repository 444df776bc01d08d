/**
 * `coreServices.users`: the users table as plugins may use it. Wraps the functions of
 * users.ts and adds status, verification, permissions and technical-user grants.
 */
import type { EventsService, PlatformUser, UserStatus, UsersService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { UserErrors } from './errors.js';
import { checkName, createUser, getUserByEmail, getUserById, setUserPassword, verifyUserPassword, type User } from './users.js';

const TABLE = 'hostplane.users';

/** What the service needs besides the database. */
export interface UsersServiceDeps {
  knex: Knex;
  events: EventsService;
  /** Permissions of a role (from RBAC). */
  permissionsOfRole(role: string): Set<string>;
}

function view(user: User): PlatformUser {
  return user as PlatformUser;
}

/** Create the users service. */
export function createUsersService(deps: UsersServiceDeps): UsersService {
  const { knex } = deps;
  const mustExist = async (id: string): Promise<PlatformUser> => {
    const user = await getUserById(knex, id);
    if (!user) throw UserErrors.notFound(id);
    return view(user);
  };
  const service: UsersService = {
    get: async (id) => {
      const user = await getUserById(knex, id);
      return user ? view(user) : undefined;
    },
    getByEmail: async (email) => {
      const user = await getUserByEmail(knex, email);
      return user ? view(user) : undefined;
    },
    async create(input) {
      const user = view(await createUser(knex, input));
      await deps.events.emit('user.created', { userId: user.id, role: user.role, parentId: user.parentId });
      return user;
    },
    verifyPassword: async (email, password) => {
      const user = await verifyUserPassword(knex, email, password);
      return user ? view(user) : undefined;
    },
    async setPassword(id, password, options = {}) {
      const ok = await setUserPassword(options.trx ?? knex, id, password);
      if (!ok) throw UserErrors.notFound(id);
    },
    async markEmailVerified(id) {
      const updated = await knex(TABLE).where({ id }).whereNull('email_verified_at').update({ email_verified_at: knex.fn.now() });
      if (updated === 0) await mustExist(id);
    },
    async setStatus(id: string, status: UserStatus, options = {}) {
      if (!['active', 'suspended', 'deleted'].includes(status)) throw UserErrors.statusInvalid(String(status));
      const updated = await (options.trx ?? knex)(TABLE)
        .where({ id })
        .update({ status, deleted_at: status === 'deleted' ? knex.fn.now() : null });
      if (updated === 0) throw UserErrors.notFound(id);
    },
    async update(id, changes, options = {}) {
      const db = options.trx ?? knex;
      if (changes.name !== undefined) {
        const name = checkName(changes.name);
        const updated = await db(TABLE).where({ id }).whereNull('deleted_at').update({ name });
        if (updated === 0) throw UserErrors.notFound(id);
      }
      const user = await getUserById(db as Knex, id);
      if (!user) throw UserErrors.notFound(id);
      return view(user);
    },
    async permissionsOf(user) {
      if (user.role !== 'technical_user') return deps.permissionsOfRole(user.role);
      // A technical user holds what was granted, and never more than the role allows.
      const allowed = deps.permissionsOfRole('customer');
      const rows = await knex('hostplane.user_grants').where({ user_id: user.id }).select<{ permission: string }[]>('permission');
      return new Set(rows.map((r) => r.permission).filter((p) => allowed.has(p)));
    },
    async setGrants(technicalUserId, permissions) {
      const user = await mustExist(technicalUserId);
      if (user.role !== 'technical_user') throw UserErrors.notTechnical(technicalUserId);
      const allowed = deps.permissionsOfRole('customer');
      const refused = permissions.filter((p) => !allowed.has(p));
      if (refused.length > 0) throw UserErrors.grantRefused(refused);
      await knex.transaction(async (trx) => {
        await trx('hostplane.user_grants').where({ user_id: technicalUserId }).delete();
        const unique = [...new Set(permissions)];
        if (unique.length > 0)
          await trx('hostplane.user_grants').insert(unique.map((permission) => ({ user_id: technicalUserId, permission })));
      });
    },
  };
  return service;
}
