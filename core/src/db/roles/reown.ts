/**
 * Hand every object of some schemas to another role: the schemas themselves, relations,
 * routines and free-standing types (enums, domains, ranges, composite types). Sequences owned by a column and row types move with their
 * table; objects that belong to an extension stay with it.
 */
import type { Knex } from 'knex';
import { literal } from './sql-text.js';

/**
 * Give `target` the schemas matching `namespaceCondition` (SQL over `n`, a pg_namespace row)
 * and their objects, where the current owner matches `ownerCondition` (SQL over `r`, its
 * pg_roles row). Both conditions are the caller's constant SQL, never input.
 */
export async function reownSchemas(
  db: Knex | Knex.Transaction,
  target: string,
  namespaceCondition: string,
  ownerCondition: string,
): Promise<void> {
  await db.raw(`do $$
declare
  target text := ${literal(target)};
  item record;
begin
  for item in
    select format('alter schema %I owner to %I', n.nspname, target) as sql
      from pg_namespace n join pg_roles r on r.oid = n.nspowner
     where ${namespaceCondition} and ${ownerCondition}
  union all
    select format('alter %s %I.%I owner to %I',
             case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                            when 'S' then 'sequence' when 'f' then 'foreign table' else 'table' end,
             n.nspname, c.relname, target)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_roles r on r.oid = c.relowner
     where ${namespaceCondition} and ${ownerCondition} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
       and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                          and d.deptype in ('a', 'e', 'i'))
  union all
    select format('alter routine %s owner to %I', p.oid::regprocedure, target)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_roles r on r.oid = p.proowner
     where ${namespaceCondition} and ${ownerCondition}
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  union all
    select format('alter type %s owner to %I', t.oid::regtype, target)
      from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_roles r on r.oid = t.typowner
     where ${namespaceCondition} and ${ownerCondition}
       and (t.typtype in ('e', 'd', 'r', 'm')
            or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
       -- A multirange belongs to its range; a composite type's own relation is no owner of it.
       and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid
                          and (d.deptype = 'e' or (d.deptype = 'i' and t.typtype <> 'c')))
  loop
    execute item.sql;
  end loop;
end $$`);
}
