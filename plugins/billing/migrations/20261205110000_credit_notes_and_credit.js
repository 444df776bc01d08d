// Credit notes, refunds and the customer's credit balance (docs/decisions/0034). An issued
// invoice never changes: a correction is a credit note with a gapless number of its own per
// issuer and year (CN-2026-00001); money given back is a refund row under the credit note;
// credit a customer holds is a balance row (never below zero: a check) and an append-only ledger.
const UP = [
  `alter table payments add column refunded bigint not null default 0`,
  `alter table payments add constraint payments_refunded_check check (refunded >= 0 and refunded <= amount)`,
  `create table credit_note_sequences (
     issuer text not null,
     year integer not null,
     last_number integer not null,
     primary key (issuer, year)
   )`,
  `create table credit_notes (
     id uuid primary key default gen_random_uuid(),
     invoice_id uuid not null references invoices (id),
     issuer text not null,
     customer_id uuid not null references hostplane.users (id),
     number text not null,
     year integer not null,
     sequence integer not null,
     currency char(3) not null,
     subtotal bigint not null,
     tax_total bigint not null,
     total bigint not null check (total > 0 and subtotal + tax_total = total),
     reason text null,
     -- How the credited amount reached the customer: money back, or credit balance.
     settlement text not null check (settlement in ('refund', 'credit')),
     created_by uuid null,
     created_at timestamptz not null default now(),
     unique (issuer, year, sequence),
     unique (issuer, number)
   )`,
  `create index credit_notes_invoice_idx on credit_notes (invoice_id)`,
  `create table refunds (
     id uuid primary key default gen_random_uuid(),
     credit_note_id uuid not null references credit_notes (id),
     invoice_id uuid not null references invoices (id),
     payment_id uuid not null references payments (id),
     gateway text not null,
     gateway_refund_id text null,
     amount bigint not null check (amount > 0),
     currency char(3) not null,
     -- succeeded/pending: the gateway's word; recorded: the issuer pays it back by hand;
     -- credited: it went to the credit balance.
     status text not null check (status in ('succeeded', 'pending', 'recorded', 'credited')),
     created_at timestamptz not null default now()
   )`,
  `create index refunds_invoice_idx on refunds (invoice_id)`,
  `create table credit_balances (
     customer_id uuid not null references hostplane.users (id),
     issuer text not null,
     currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
     balance bigint not null check (balance >= 0),
     updated_at timestamptz not null default now(),
     primary key (customer_id, issuer, currency)
   )`,
  `create table credit_ledger (
     id uuid primary key default gen_random_uuid(),
     customer_id uuid not null references hostplane.users (id),
     issuer text not null,
     currency char(3) not null,
     amount bigint not null check (amount <> 0),
     balance_after bigint not null check (balance_after >= 0),
     kind text not null check (kind in ('grant', 'adjustment', 'overpayment', 'refund', 'applied', 'proration')),
     invoice_id uuid null references invoices (id),
     credit_note_id uuid null references credit_notes (id),
     note text null,
     created_by uuid null,
     -- clock_timestamp: entries of one transaction keep their order.
     created_at timestamptz not null default clock_timestamp()
   )`,
  `create index credit_ledger_customer_idx on credit_ledger (customer_id, created_at desc)`,
  // Credit notes and the ledger are records: never edited, never removed.
  `create function immutable_record() returns trigger language plpgsql as $$
   begin
     raise exception '% rows cannot change', tg_table_name using errcode = '55000';
   end $$`,
  `create trigger credit_notes_immutable before update or delete on credit_notes
     for each row execute function immutable_record()`,
  `create trigger credit_ledger_immutable before update or delete on credit_ledger
     for each row execute function immutable_record()`,
];

const DOWN = [
  'drop table if exists credit_ledger',
  'drop table if exists credit_balances',
  'drop table if exists refunds',
  'drop table if exists credit_notes',
  'drop function if exists immutable_record()',
  'drop table if exists credit_note_sequences',
  'alter table payments drop column if exists refunded',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
