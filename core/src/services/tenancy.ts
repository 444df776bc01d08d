/**
 * The one ownership rule (DESIGN.md, "HTTP"): a user reaches their own rows and their subtree's;
 * a super admin reaches everything. Expressed as a recursive CTE inside the caller's query, so
 * rows outside the subtree are never loaded.
 */
import type { Actor, TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';

// Each step looks up the children of the rows found so far through the parent_id index. The
// LATERAL subquery behind OFFSET 0 keeps it that way: as a plain join the planner estimated the
// children of a reseller from parent_id's few distinct values and scanned the whole table at
// every level (26 ms per query on 100,000 users; this form: a few ms, bench/users-search.ts).
const SUBTREE = `with recursive subtree(id) as (
    select id from hostplane.users where id = ?
    union all
    select c.id from subtree s cross join lateral (
      select u.id from hostplane.users u where u.parent_id = s.id offset 0
    ) c
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
