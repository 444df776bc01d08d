/**
 * The one ownership rule (DESIGN.md, "HTTP"): a user reaches their own rows and their subtree's;
 * a super admin reaches everything. Expressed as a semi-join on the users closure table inside the
 * caller's query, so rows outside the subtree are never loaded.
 */
import type { Actor, TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';

// The closure table (migration 0004_user_tree) holds every (ancestor, descendant) pair, the
// user itself included: membership is one primary-key probe, and a subtree one index range.
const SUBTREE = 'select user_id from hostplane.user_tree where ancestor_id = ?';

/** The tenancy service over `knex`. */
export function createTenancyService(knex: Knex): TenancyService {
  return {
    scope(query, actor, column) {
      if (actor.role === 'super_admin') return query;
      return query.whereRaw(`?? in (${SUBTREE})`, [column, actor.userId]);
    },
    async canAccessUser(actor: Pick<Actor, 'userId' | 'role'>, userId: string) {
      if (actor.role === 'super_admin' || actor.userId === userId) return true;
      if (!/^[0-9a-f-]{36}$/i.test(userId)) return false;
      const row = await knex('hostplane.user_tree').where({ ancestor_id: actor.userId, user_id: userId }).first(knex.raw('1'));
      return row !== undefined;
    },
  };
}
