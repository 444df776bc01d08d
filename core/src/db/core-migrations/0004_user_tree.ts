/**
 * The users tree as a closure table: one row per (ancestor, descendant) pair, the user itself
 * included at depth 0, kept by triggers on `hostplane.users`. The tenancy rule becomes one index
 * probe (`ancestor_id = actor and user_id = row owner`) instead of a recursive walk per query,
 * which cost a reseller's every list request a walk of its whole subtree
 * (bench/users-search.ts: ~5–12 ms per query at 100,000 users).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table hostplane.user_tree (
    ancestor_id uuid not null references hostplane.users (id) on delete cascade,
    user_id uuid not null references hostplane.users (id) on delete cascade,
    depth integer not null check (depth >= 0),
    primary key (ancestor_id, user_id)
  )`);
  await knex.raw('create index user_tree_user_idx on hostplane.user_tree (user_id, depth)');
  await knex.raw(`insert into hostplane.user_tree (ancestor_id, user_id, depth)
    with recursive t(ancestor_id, user_id, depth) as (
      select id, id, 0 from hostplane.users
      union all
      select t.ancestor_id, u.id, t.depth + 1 from t join hostplane.users u on u.parent_id = t.user_id
    ) select ancestor_id, user_id, depth from t`);
  // New user: itself, plus every ancestor of its parent one level further down.
  await knex.raw(`create function hostplane.user_tree_insert() returns trigger language plpgsql as $$
    begin
      insert into hostplane.user_tree (ancestor_id, user_id, depth) values (new.id, new.id, 0);
      if new.parent_id is not null then
        insert into hostplane.user_tree (ancestor_id, user_id, depth)
          select ancestor_id, new.id, depth + 1 from hostplane.user_tree where user_id = new.parent_id;
      end if;
      return null;
    end $$`);
  // Moved user: its whole subtree leaves the old ancestors and joins the new parent's.
  await knex.raw(`create function hostplane.user_tree_move() returns trigger language plpgsql as $$
    begin
      delete from hostplane.user_tree d
        using hostplane.user_tree sub, hostplane.user_tree anc
        where sub.ancestor_id = new.id and d.user_id = sub.user_id
          and anc.user_id = new.id and anc.depth > 0 and d.ancestor_id = anc.ancestor_id;
      if new.parent_id is not null then
        insert into hostplane.user_tree (ancestor_id, user_id, depth)
          select p.ancestor_id, sub.user_id, p.depth + sub.depth + 1
          from hostplane.user_tree p cross join hostplane.user_tree sub
          where p.user_id = new.parent_id and sub.ancestor_id = new.id;
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger user_tree_insert after insert on hostplane.users
    for each row execute function hostplane.user_tree_insert()`);
  await knex.raw(`create trigger user_tree_move after update of parent_id on hostplane.users
    for each row when (old.parent_id is distinct from new.parent_id) execute function hostplane.user_tree_move()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger user_tree_move on hostplane.users');
  await knex.raw('drop trigger user_tree_insert on hostplane.users');
  await knex.raw('drop function hostplane.user_tree_move()');
  await knex.raw('drop function hostplane.user_tree_insert()');
  await knex.raw('drop table hostplane.user_tree');
}
