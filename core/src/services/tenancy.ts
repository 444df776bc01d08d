/**
 * The one ownership rule (DESIGN.md, "HTTP"): a user reaches their own rows and their subtree's;
 * a super admin reaches everything. Expressed as a recursive CTE inside the caller's query, so
 * rows outside the subtree are never loaded.
 */
import type { Actor, TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';

const SUBTREE = `with recursive subtree(id) as (
    select id from hostplane.users where id = ?
    union all
    select u.id from hostplane.users u join subtree s on u.parent_id = s.id
  ) select id from subtree`;

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
      const row = await knex.raw<{ rows: unknown[] }>(`select 1 from (${SUBTREE}) t where t.id = ?`, [actor.userId, userId]);
      return row.rows.length > 0;
    },
  };
}
