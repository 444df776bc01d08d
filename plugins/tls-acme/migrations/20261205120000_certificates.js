// Runs inside the plugin's own schema (plugin_tls_acme). One row per website that has, or is
// getting, a certificate. Private keys are not here: they are plugin secrets (encrypted at rest)
// named by `key_secret`. `version` grows with every change the web server must take and
// `served_version` is the last one it took (the `site-certificates` extension point).
const UP = [
  `create table certificates (
     -- The site's owner is read from the websites plugin's table on each request, never copied.
     website_id uuid primary key,
     -- 'acme': issued and renewed here; 'upload': the customer's own, never renewed here.
     source text not null default 'acme' check (source in ('acme', 'upload')),
     -- none: nothing issued yet; pending: an order is queued or running; issued: serving;
     -- failed: the last order failed (the previous certificate, if any, keeps serving).
     state text not null default 'none' check (state in ('none', 'pending', 'issued', 'failed')),
     domains text[] not null default '{}',
     wildcard boolean not null default false,
     certificate_pem text null,
     key_secret text null,
     issuer text null,
     serial text null,
     not_before timestamptz null,
     not_after timestamptz null,
     force_https boolean not null default false,
     hsts boolean not null default false,
     version integer not null default 1,
     served_version integer not null default 0,
     -- Failed tries of the current order, when to try again, and why the last one failed.
     attempts integer not null default 0,
     next_attempt_at timestamptz null,
     last_error text null,
     -- The not_after for which certificate.expiring was emitted (once per certificate).
     warned_for timestamptz null,
     requested_at timestamptz null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index certificates_unserved_idx on certificates (website_id) where served_version < version`,
  `create index certificates_due_idx on certificates (not_after) where source = 'acme'`,
];

const DOWN = ['drop table if exists certificates'];

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  for (const sql of UP) await knex.raw(sql);
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  for (const sql of DOWN) await knex.raw(sql);
}
