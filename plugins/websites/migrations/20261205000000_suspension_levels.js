// Who made a site's provider suspension (the 'admin' reason), by level, so only that level or
// above lifts it: 'platform' (an administrator, the CLI) or 'reseller'. Suspensions made before
// this migration take the role of the actor of their last audit entry (none: the platform's).
// The author's id has no foreign key, as the audit log keeps actors.
export async function up(knex) {
  await knex.raw(
    `alter table websites
       add column suspended_by uuid null,
       add column suspended_by_level text null check (suspended_by_level in ('platform', 'reseller', 'customer'))`,
  );
  await knex.raw(
    `update websites w set suspended_by_level = coalesce(
       (select case u.role when 'reseller' then 'reseller' when 'customer' then 'customer'
                 when 'technical_user' then 'customer' else 'platform' end
          from hostplane.audit_log a left join hostplane.users u on u.id = a.actor_id
         where a.action = 'websites.site.suspended' and a.target_id = w.id::text and a.details->>'reason' = 'admin'
         order by a.id desc limit 1),
       'platform')
     where 'admin' = any(w.suspended_for)`,
  );
}

export async function down(knex) {
  await knex.raw('alter table websites drop column if exists suspended_by, drop column if exists suspended_by_level');
}
