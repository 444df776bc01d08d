// Runs inside the plugin's own schema (plugin_databases). Customers' databases and their users
// as the platform wants them; the database-server driver named in `server` holds the real ones.
// Names are unique per server (one server is shared by every customer), and every name starts
// with its owner's prefix, so one customer's names never collide with or look like another's.
const UP = [
  // One prefix per customer, allocated at their first database and never reused.
  `create table prefixes (
     customer_id uuid primary key references hostplane.users (id) on delete cascade,
     prefix text not null unique check (prefix ~ '^[a-z][a-z0-9]{0,9}$'),
     created_at timestamptz not null default now()
   )`,
  `create table databases (
     id uuid primary key default gen_random_uuid(),
     server text not null,
     engine text not null,
     name text not null check (name ~ '^[a-z][a-z0-9_]{0,47}$'),
     owner_id uuid not null references hostplane.users (id),
     subscription_id uuid not null,
     size_bytes bigint null,
     size_measured_at timestamptz null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     unique (server, name)
   )`,
  `create index databases_owner_idx on databases (owner_id, created_at)`,
  `create index databases_subscription_idx on databases (subscription_id)`,
  // A user belongs to one database and holds privileges on it alone.
  `create table database_users (
     id uuid primary key default gen_random_uuid(),
     database_id uuid not null references databases (id) on delete cascade,
     server text not null,
     name text not null check (name ~ '^[a-z][a-z0-9_]{0,47}$'),
     password_set_at timestamptz not null default now(),
     created_at timestamptz not null default now(),
     unique (server, name)
   )`,
  `create index database_users_database_idx on database_users (database_id)`,
];

const DOWN = ['drop table if exists database_users', 'drop table if exists databases', 'drop table if exists prefixes'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
