// Runs inside the plugin's own schema (plugin_sftp). One row per SFTP account of a website.
// The password is kept only as its sha512-crypt hash (what /etc/shadow holds), so a lost
// system user is made again from here; the plain password is shown once and stored nowhere.
const UP = [
  `create table accounts (
     id uuid primary key default gen_random_uuid(),
     website_id uuid not null,
     owner_id uuid not null,
     name text not null check (name ~ '^[a-z][a-z0-9]{0,15}$'),
     login text not null check (login ~ '^[a-z][a-z0-9_-]{0,31}$'),
     password_hash text null check (password_hash is null or password_hash like '$6$%'),
     public_keys jsonb not null default '[]'::jsonb,
     created_by uuid null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     constraint accounts_login_key unique (login),
     constraint accounts_site_name_key unique (website_id, name)
   )`,
  `create index accounts_owner_idx on accounts (owner_id)`,
];

const DOWN = ['drop table if exists accounts'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
