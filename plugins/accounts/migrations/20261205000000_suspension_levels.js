// Who suspended what, by level, so a suspension is lifted only at its author's level or above
// (a reseller cannot lift an administrator's). Levels: 'platform' (admins, the CLI, the system),
// 'reseller', 'customer' (for its technical users). A subscription suspended along with its user
// keeps the level of the user's suspension. Suspensions made before this migration take the role
// of the actor of their last audit entry (none, or no actor: the platform's, the safe side). The
// author's id has no foreign key, as the audit log keeps actors: a caller need not be a row of
// hostplane.users (a test host's is not).
const LEVEL = `check (%s in ('platform', 'reseller', 'customer'))`;
const LEVEL_OF_ACTOR = `(select case u.role when 'reseller' then 'reseller' when 'customer' then 'customer'
                          when 'technical_user' then 'customer' else 'platform' end
                          from hostplane.audit_log a left join hostplane.users u on u.id = a.actor_id
                         where a.action = ? and a.target_id = %s::text order by a.id desc limit 1)`;

export async function up(knex) {
  await knex.raw(
    `alter table subscriptions
       add column suspended_by uuid null,
       add column suspended_by_level text null ${LEVEL.replace('%s', 'suspended_by_level')}`,
  );
  await knex.raw(
    `create table user_suspensions (
       user_id uuid primary key references hostplane.users (id) on delete cascade,
       suspended_by uuid null,
       level text not null ${LEVEL.replace('%s', 'level')},
       created_at timestamptz not null default now()
     )`,
  );
  await knex.raw(
    `insert into user_suspensions (user_id, level)
     select id, coalesce(${LEVEL_OF_ACTOR.replace('%s', 'hostplane.users.id')}, 'platform')
       from hostplane.users where status = 'suspended'`,
    ['accounts.user.suspended'],
  );
  await knex.raw(
    `update subscriptions s set suspended_by_level = case
       when s.suspended_with_user then coalesce((select level from user_suspensions where user_id = s.customer_id), 'platform')
       else coalesce(${LEVEL_OF_ACTOR.replace('%s', 's.id')}, 'platform') end
     where s.status = 'suspended'`,
    ['accounts.subscription.suspended'],
  );
}

export async function down(knex) {
  await knex.raw('drop table if exists user_suspensions');
  await knex.raw('alter table subscriptions drop column if exists suspended_by, drop column if exists suspended_by_level');
}
