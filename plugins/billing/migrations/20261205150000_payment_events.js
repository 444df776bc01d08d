// Runs inside the plugin's own schema (plugin_billing). Payment gateways' webhook events, kept by
// the gateway's event id (a duplicate is dropped at the door), processed once by a durable job;
// the claim of each gateway payment, so two events about one payment (Checkout's and the
// PaymentIntent's) apply it once; and overpayments, refunded automatically
// (docs/decisions/0037).
const UP = [
  `create table payment_events (
     gateway text not null,
     issuer text not null,
     event_id text not null check (length(event_id) between 1 and 255),
     type text not null,
     gateway_type text not null check (length(gateway_type) <= 100),
     payment_id text null check (length(payment_id) <= 255),
     invoice_ref text null check (length(invoice_ref) <= 255),
     amount bigint null check (amount >= 0),
     currency char(3) null check (currency ~ '^[A-Z]{3}$'),
     occurred_at timestamptz not null,
     received_at timestamptz not null default now(),
     processed_at timestamptz null,
     outcome text null,
     primary key (gateway, issuer, event_id)
   )`,
  `create index payment_events_event_idx on payment_events (event_id)`,
  `create index payment_events_unprocessed_idx on payment_events (received_at) where processed_at is null`,
  `create table payment_claims (
     gateway text not null,
     payment_id text not null,
     event_id text not null,
     claimed_at timestamptz not null default now(),
     primary key (gateway, payment_id)
   )`,
  `create table overpayments (
     id uuid primary key default gen_random_uuid(),
     gateway text not null,
     payment_id text not null,
     issuer text not null,
     invoice_id uuid null references invoices (id),
     amount bigint not null check (amount > 0),
     currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
     reason text not null check (reason in ('invoice_paid', 'invoice_void', 'exceeds_balance')),
     status text not null default 'pending' check (status in ('pending', 'refunded')),
     refund_id text null,
     last_error text null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     unique (gateway, payment_id)
   )`,
];

const DOWN = ['drop table if exists overpayments', 'drop table if exists payment_claims', 'drop table if exists payment_events'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
