// Runs inside the plugin's own schema (plugin_websites). The desired state of every website;
// the reconciler (src/reconciler.ts) makes the web server match it and records each step.
// `generation` counts changes to the desired state and `applied_generation` the last one the
// server took, so "needs work" is a comparison, and a crash between the two is repaired by
// running the same job again.
const UP = [
  `create table websites (
     id uuid primary key default gen_random_uuid(),
     name text not null unique check (name ~ '^[a-z0-9][a-z0-9-]{0,30}$'),
     domain text not null,
     owner_id uuid not null references hostplane.users (id),
     subscription_id uuid not null,
     kind text not null check (kind in ('static', 'php', 'wordpress', 'nodejs')),
     php_version text null check (php_version ~ '^[0-9]+\\.[0-9]+$'),
     status text not null default 'provisioning'
       check (status in ('provisioning', 'active', 'suspended', 'error', 'deleting')),
     status_reason text null,
     desired text not null default 'active' check (desired in ('active', 'suspended', 'deleted')),
     -- Why it is suspended: 'admin', 'subscription', 'user'. Unsuspending removes one reason; the
     -- site comes back only when none is left.
     suspended_for text[] not null default '{}',
     suspend_note text null,
     settings jsonb not null default '{}',
     generation integer not null default 1,
     applied_generation integer not null default 0,
     -- Transient failures of the current generation; past the limit the site shows 'error'.
     failures integer not null default 0,
     document_root text null,
     preview_url text null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index websites_owner_idx on websites (owner_id, created_at)`,
  `create index websites_subscription_idx on websites (subscription_id)`,
  `create index websites_pending_idx on websites (id) where applied_generation < generation`,
  // Every host name a site answers to, primary and aliases: unique platform-wide.
  `create table website_domains (
     domain text primary key,
     website_id uuid not null references websites (id) on delete cascade,
     is_primary boolean not null default false
   )`,
  `create index website_domains_site_idx on website_domains (website_id)`,
  // Provisioning history shown with each site.
  `create table website_history (
     id bigserial primary key,
     website_id uuid not null references websites (id) on delete cascade,
     at timestamptz not null default now(),
     step text not null,
     outcome text not null check (outcome in ('ok', 'error', 'waiting', 'info')),
     message text not null default ''
   )`,
  `create index website_history_site_idx on website_history (website_id, id desc)`,
];

const DOWN = ['drop table if exists website_history', 'drop table if exists website_domains', 'drop table if exists websites'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
