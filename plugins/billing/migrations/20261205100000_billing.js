// Runs inside the plugin's own schema (plugin_billing). Money is integer minor units (bigint)
// with an ISO 4217 currency; rates are basis points (1900 = 19 %). The issuer is whoever sells to
// the customer: 'platform', or a reseller's user id (text, so the platform needs no user).
const UP = [
  `create table issuers (
     issuer text primary key,
     name text not null,
     address text not null default '',
     country char(2) null check (country ~ '^[A-Z]{2}$'),
     tax_id text null,
     number_prefix text not null default 'INV-' check (number_prefix ~ '^[A-Za-z0-9-]{0,12}$'),
     reply_to text null,
     prices_include_tax boolean not null default false,
     payment_terms_days integer not null default 14 check (payment_terms_days between 0 and 365),
     logo bytea null,
     updated_at timestamptz not null default now()
   )`,
  `create table billing_profiles (
     user_id uuid primary key references hostplane.users (id),
     country char(2) null check (country ~ '^[A-Z]{2}$'),
     region text null,
     vat_id text null,
     is_business boolean not null default false,
     address text not null default '',
     updated_at timestamptz not null default now()
   )`,
  `create table tax_rates (
     id uuid primary key default gen_random_uuid(),
     issuer text not null,
     country char(2) not null check (country ~ '^[A-Z]{2}$'),
     region text null,
     name text not null,
     rate_bp integer not null check (rate_bp between 0 and 10000),
     created_at timestamptz not null default now()
   )`,
  `create unique index tax_rates_place_idx on tax_rates (issuer, country, coalesce(region, ''))`,
  // One row per issuer and year; its increment commits only with the invoice that took it.
  `create table invoice_sequences (
     issuer text not null,
     year integer not null,
     last_number integer not null,
     primary key (issuer, year)
   )`,
  `create table invoices (
     id uuid primary key default gen_random_uuid(),
     issuer text not null,
     customer_id uuid not null references hostplane.users (id),
     subscription_id uuid null,
     period_start date null,
     period_end date null,
     number text null,
     year integer null,
     sequence integer null,
     status text not null default 'draft'
       check (status in ('draft', 'unpaid', 'paid', 'overdue', 'void', 'refunded', 'partially_refunded')),
     currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
     prices_include_tax boolean not null,
     reverse_charge boolean not null default false,
     subtotal bigint not null default 0,
     tax_total bigint not null default 0,
     total bigint not null default 0,
     amount_paid bigint not null default 0 check (amount_paid >= 0),
     amount_refunded bigint not null default 0 check (amount_refunded >= 0),
     issuer_snapshot jsonb not null default '{}',
     customer_snapshot jsonb not null default '{}',
     issue_date date null,
     due_date date null,
     paid_at timestamptz null,
     voided_at timestamptz null,
     void_reason text null,
     -- When the invoice mail (with its PDF) was queued: once.
     mailed_at timestamptz null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     check ((status = 'draft') = (number is null)),
     unique (issuer, year, sequence),
     unique (issuer, number)
   )`,
  // The promise of the recurring run: one invoice per subscription and period, whatever runs twice.
  `create unique index invoices_subscription_period_idx on invoices (subscription_id, period_start) where subscription_id is not null`,
  `create index invoices_customer_idx on invoices (customer_id, created_at desc)`,
  `create index invoices_open_due_idx on invoices (due_date) where status = 'unpaid'`,
  `create table invoice_lines (
     id uuid primary key default gen_random_uuid(),
     invoice_id uuid not null references invoices (id) on delete cascade,
     position integer not null,
     kind text not null check (kind in ('package', 'setup_fee', 'manual')),
     description text not null,
     quantity integer not null check (quantity > 0),
     unit_amount bigint not null,
     amount bigint not null,
     tax_name text not null,
     tax_rate_bp integer not null,
     unique (invoice_id, position)
   )`,
  `create table invoice_taxes (
     invoice_id uuid not null references invoices (id) on delete cascade,
     name text not null,
     rate_bp integer not null,
     net bigint not null,
     tax bigint not null,
     primary key (invoice_id, name, rate_bp)
   )`,
  `create table payments (
     id uuid primary key default gen_random_uuid(),
     invoice_id uuid not null references invoices (id),
     gateway text not null,
     gateway_payment_id text null,
     reference text null,
     amount bigint not null check (amount > 0),
     currency char(3) not null,
     recorded_by uuid null,
     created_at timestamptz not null default now(),
     unique (gateway, gateway_payment_id)
   )`,
  `create index payments_invoice_idx on payments (invoice_id)`,
  // The PDF of an issued invoice, rendered once: every download is these bytes.
  `create table invoice_documents (
     invoice_id uuid primary key references invoices (id),
     pdf bytea not null,
     created_at timestamptz not null default now()
   )`,
  // The gateway's customer for a billing customer, per issuer's account.
  `create table gateway_customers (
     user_id uuid not null references hostplane.users (id),
     issuer text not null,
     gateway text not null,
     customer_ref text not null,
     primary key (user_id, issuer, gateway)
   )`,
  // (`set search_path from current`: the plugin's schema, where the migration runs.)
  // An issued invoice never changes: its content is frozen once it leaves draft; only its
  // payment state moves. Corrections are credit notes.
  `create function frozen_invoice() returns trigger language plpgsql set search_path from current as $$
   begin
     if old.status <> 'draft' and (
          new.number, new.issuer, new.customer_id, new.currency, new.subtotal, new.tax_total, new.total,
          new.issue_date, new.due_date, new.issuer_snapshot, new.customer_snapshot, new.reverse_charge
        ) is distinct from (
          old.number, old.issuer, old.customer_id, old.currency, old.subtotal, old.tax_total, old.total,
          old.issue_date, old.due_date, old.issuer_snapshot, old.customer_snapshot, old.reverse_charge
        ) then
       raise exception 'invoice % is issued and cannot change', old.number using errcode = '55000';
     end if;
     return new;
   end $$`,
  `create trigger invoices_frozen before update on invoices for each row execute function frozen_invoice()`,
  `create function frozen_invoice_part() returns trigger language plpgsql set search_path from current as $$
   declare
     target uuid := coalesce(new.invoice_id, old.invoice_id);
   begin
     if exists (select 1 from invoices where id = target and status <> 'draft') then
       raise exception 'invoice % is issued: its lines and taxes cannot change', target using errcode = '55000';
     end if;
     return coalesce(new, old);
   end $$`,
  `create trigger invoice_lines_frozen before insert or update or delete on invoice_lines
     for each row execute function frozen_invoice_part()`,
  `create trigger invoice_taxes_frozen before insert or update or delete on invoice_taxes
     for each row execute function frozen_invoice_part()`,
];

const DOWN = [
  'drop table if exists gateway_customers',
  'drop table if exists invoice_documents',
  'drop table if exists payments',
  'drop table if exists invoice_taxes',
  'drop table if exists invoice_lines',
  'drop table if exists invoices',
  'drop function if exists frozen_invoice_part()',
  'drop function if exists frozen_invoice()',
  'drop table if exists invoice_sequences',
  'drop table if exists tax_rates',
  'drop table if exists billing_profiles',
  'drop table if exists issuers',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
