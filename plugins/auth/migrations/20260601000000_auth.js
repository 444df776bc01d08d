// Runs inside the plugin's own schema (plugin_auth): unqualified names land there. Every
// credential is stored as a SHA-256 hash (hex); a database dump yields no usable token.
const UP = [
  // One row per signed-in device. `id` is the hash of the session token (the Lucia guide's
  // form): the token itself travels only in the cookie, and access tokens name the session.
  `create table sessions (
     id text primary key,
     user_id uuid not null references hostplane.users (id) on delete cascade,
     impersonator_id uuid null references hostplane.users (id) on delete cascade,
     two_factor boolean not null default false,
     ip text null,
     user_agent text null,
     created_at timestamptz not null default now(),
     last_seen_at timestamptz not null default now(),
     expires_at timestamptz not null
   )`,
  `create index sessions_user_idx on sessions (user_id, created_at desc)`,
  `create index sessions_expires_idx on sessions (expires_at)`,

  // Refresh tokens of a session (its family). A used one stays, marked, so presenting it
  // again is recognised as theft and revokes the session.
  `create table refresh_tokens (
     id uuid primary key default gen_random_uuid(),
     session_id text not null references sessions (id) on delete cascade,
     token_hash text not null constraint refresh_tokens_hash_unique unique,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null,
     used_at timestamptz null
   )`,
  `create index refresh_tokens_session_idx on refresh_tokens (session_id)`,

  // Single-use tokens: email verification, password reset, the second step of a 2FA login.
  `create table one_time_tokens (
     id uuid primary key default gen_random_uuid(),
     user_id uuid not null references hostplane.users (id) on delete cascade,
     purpose text not null constraint one_time_tokens_purpose_check
       check (purpose in ('verify_email', 'reset_password', 'login_challenge')),
     token_hash text not null constraint one_time_tokens_hash_unique unique,
     attempts integer not null default 0,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null,
     used_at timestamptz null
   )`,
  `create index one_time_tokens_user_idx on one_time_tokens (user_id, purpose)`,
  `create index one_time_tokens_expires_idx on one_time_tokens (expires_at)`,

  // TOTP: the secret encrypted (AES-256-GCM), pending until confirmed with a first code.
  // last_used_step makes each code (and any older one) usable once.
  `create table totp_credentials (
     user_id uuid primary key references hostplane.users (id) on delete cascade,
     secret_enc text not null,
     enabled_at timestamptz null,
     last_used_step bigint null,
     created_at timestamptz not null default now()
   )`,

  `create table recovery_codes (
     id uuid primary key default gen_random_uuid(),
     user_id uuid not null references hostplane.users (id) on delete cascade,
     code_hash text not null,
     used_at timestamptz null,
     created_at timestamptz not null default now(),
     constraint recovery_codes_user_hash_unique unique (user_id, code_hash)
   )`,

  `create table api_tokens (
     id uuid primary key default gen_random_uuid(),
     user_id uuid not null references hostplane.users (id) on delete cascade,
     name text not null,
     token_hash text not null constraint api_tokens_hash_unique unique,
     last4 text not null,
     scopes text[] not null default '{}',
     created_at timestamptz not null default now(),
     expires_at timestamptz null,
     last_used_at timestamptz null
   )`,
  `create index api_tokens_user_idx on api_tokens (user_id, created_at desc)`,

  `create table login_history (
     id bigserial primary key,
     user_id uuid not null references hostplane.users (id) on delete cascade,
     at timestamptz not null default now(),
     ip text null,
     user_agent text null,
     success boolean not null,
     reason text null,
     two_factor boolean not null default false
   )`,
  `create index login_history_user_idx on login_history (user_id, id desc)`,

  // Failures (and mail requests) per key, for sliding-window throttling shared by every host
  // process: keys look like login:account:<email> or login:ip:<address>.
  `create table throttle_events (
     id bigserial primary key,
     key text not null,
     at timestamptz not null default now()
   )`,
  `create index throttle_events_key_at_idx on throttle_events (key, at)`,
  `create index throttle_events_at_idx on throttle_events (at)`,
];

const DOWN = [
  'drop table if exists throttle_events',
  'drop table if exists login_history',
  'drop table if exists api_tokens',
  'drop table if exists recovery_codes',
  'drop table if exists totp_credentials',
  'drop table if exists one_time_tokens',
  'drop table if exists refresh_tokens',
  'drop table if exists sessions',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
