// Runs inside the plugin's own schema (plugin_dns). The desired state of every zone; the
// reconciler (src/reconciler.ts) makes the DNS provider serve it. `generation` counts changes
// and `applied_generation` the last one the provider took, so "needs work" is a comparison and
// a crash between the two is repaired by applying again.
const UP = [
  `create table zones (
     id uuid primary key default gen_random_uuid(),
     -- Unique platform-wide: one zone per name, whoever owns it.
     name text not null unique check (name ~ '^[a-z0-9][a-z0-9.-]{1,252}$'),
     owner_id uuid not null references hostplane.users (id),
     serial bigint not null check (serial > 0 and serial < 4294967296),
     status text not null default 'pending' check (status in ('pending', 'active', 'error', 'deleting')),
     status_reason text null,
     desired text not null default 'present' check (desired in ('present', 'deleted')),
     dnssec boolean not null default false,
     -- DS records the provider reported when DNSSEC was switched on.
     ds jsonb not null default '[]',
     generation integer not null default 1,
     applied_generation integer not null default 0,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index zones_owner_idx on zones (owner_id, name)`,
  `create index zones_pending_idx on zones (id) where applied_generation < generation`,
  `create table records (
     id uuid primary key default gen_random_uuid(),
     zone_id uuid not null references zones (id) on delete cascade,
     name text not null,
     type text not null check (type in ('A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS')),
     ttl integer not null check (ttl > 0),
     content text not null,
     created_at timestamptz not null default now(),
     unique (zone_id, name, type, content)
   )`,
  `create index records_zone_idx on records (zone_id, name, type)`,
];

const DOWN = ['drop table if exists records', 'drop table if exists zones'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
