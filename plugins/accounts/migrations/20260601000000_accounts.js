// Runs inside the plugin's own schema (plugin_accounts): unqualified names land there.
// Money is integer minor units with an ISO 4217 currency; limits and features are jsonb objects
// whose keys the plugin fixes (src/packages/schemas.ts), `null` limit = unlimited.
const UP = [
  `create table packages (
     id uuid primary key default gen_random_uuid(),
     name text not null,
     description text not null default '',
     currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
     price_monthly integer null check (price_monthly >= 0),
     price_quarterly integer null check (price_quarterly >= 0),
     price_yearly integer null check (price_yearly >= 0),
     setup_fee integer not null default 0 check (setup_fee >= 0),
     limits jsonb not null default '{}',
     features jsonb not null default '{}',
     visibility text not null default 'public' check (visibility in ('public', 'hidden', 'reseller_only')),
     owner_id uuid null references hostplane.users (id),
     archived_at timestamptz null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index packages_owner_idx on packages (owner_id, created_at)`,
  `create index packages_name_idx on packages (lower(name))`,

  `create table subscriptions (
     id uuid primary key default gen_random_uuid(),
     customer_id uuid not null references hostplane.users (id),
     package_id uuid not null references packages (id),
     status text not null default 'active'
       check (status in ('pending', 'active', 'suspended', 'cancelled', 'terminated')),
     billing_cycle text not null check (billing_cycle in ('monthly', 'quarterly', 'yearly')),
     next_due_date date null,
     -- Set when the subscription was suspended because its user was: unsuspending the user
     -- reactivates only these, not ones suspended for their own reasons.
     suspended_with_user boolean not null default false,
     suspend_reason text null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index subscriptions_customer_idx on subscriptions (customer_id, created_at)`,
  `create index subscriptions_package_idx on subscriptions (package_id)`,
];

const DOWN = ['drop table if exists subscriptions', 'drop table if exists packages'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
