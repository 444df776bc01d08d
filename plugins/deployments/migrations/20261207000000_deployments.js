// Runs inside the plugin's own schema (plugin_deployments). One connection per website (its
// repository, branch, build command, web-root folder and how many releases to keep) and one
// row per deployment with its log. The webhook secret and the deploy key's private half are not
// here: they live in the secrets service (encrypted, this plugin only); `hook_id` is the
// unguessable public name of the webhook URL, not a secret.
const UP = [
  `create table connections (
     website_id uuid primary key,
     owner_id uuid not null,
     repository_url text not null check (length(repository_url) between 1 and 1024),
     branch text not null check (length(branch) between 1 and 255),
     build_command text null check (length(build_command) between 1 and 4096),
     web_root text not null default '' check (length(web_root) <= 255),
     keep_releases integer not null check (keep_releases between 1 and 100),
     hook_id uuid not null unique default gen_random_uuid(),
     public_key text null,
     -- ssh: the remote's host keys as first seen (known_hosts lines), checked on every later clone.
     known_hosts text null check (length(known_hosts) <= 65536),
     current_deployment_id uuid null,
     created_by uuid null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index connections_owner_idx on connections (owner_id)`,
  `create table deployments (
     id uuid primary key default gen_random_uuid(),
     website_id uuid not null,
     owner_id uuid not null,
     trigger text not null check (trigger in ('manual', 'webhook', 'rollback', 'initial')),
     status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'skipped')),
     repository_url text null,
     branch text null,
     build_command text null,
     web_root text not null default '',
     release text null,
     rollback_of uuid null references deployments (id) on delete set null,
     commit_sha text null,
     delivery_id text null check (length(delivery_id) <= 200),
     phase text null,
     progress real not null default 0,
     log text not null default '',
     log_truncated boolean not null default false,
     error text null,
     release_removed boolean not null default false,
     attempts integer not null default 0,
     created_by uuid null,
     queued_at timestamptz not null default now(),
     started_at timestamptz null,
     finished_at timestamptz null
   )`,
  `create index deployments_website_idx on deployments (website_id, queued_at desc)`,
  `create index deployments_owner_idx on deployments (owner_id)`,
  // A webhook delivery retried by the Git host deploys once.
  `create unique index deployments_delivery_idx on deployments (website_id, delivery_id) where delivery_id is not null`,
  `alter table connections add constraint connections_current_fk
     foreign key (current_deployment_id) references deployments (id) on delete set null`,
];

const DOWN = ['drop table if exists connections', 'drop table if exists deployments'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
