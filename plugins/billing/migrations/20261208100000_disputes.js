// Disputes (chargebacks and inquiries) of gateway payments (docs/decisions/0078). A dispute is
// kept once per gateway, issuer and dispute id with the latest state the gateway reported (its
// status never goes back: events may come out of order); a lost one reverses its payment once
// (`reversed_at`, under the dispute's row lock). The seller's mails are sent once per dispute
// and state (`opened_mailed_at`, `closed_mailed_at`). A payment keeps how much of it disputes
// took back (`payments.reversed`): refunds give back only what is left.
const UP = [
  `alter table payment_events add column dispute jsonb null`,
  // A reversed invoice is owed again from the reversal day: its dunning starts over from there.
  `alter table invoices add column dunning_from date null`,
  `alter table payments add column reversed bigint not null default 0`,
  `alter table payments add constraint payments_reversed_check check (reversed >= 0 and refunded + reversed <= amount)`,
  `create table disputes (
     gateway text not null,
     issuer text not null,
     dispute_id text not null check (length(dispute_id) between 1 and 255),
     payment_id text not null check (length(payment_id) between 1 and 255),
     -- Known once billing recorded the disputed payment on one of its invoices.
     invoice_id uuid null references invoices (id),
     amount bigint not null check (amount >= 0),
     currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
     reason text null check (length(reason) <= 100),
     status text not null check (length(status) <= 100),
     outcome text not null check (outcome in ('open', 'won', 'lost', 'closed')),
     -- How far along the status is (inquiry 0-1, chargeback 2-3, decided 9): it never goes back.
     stage smallint not null,
     evidence_due_by timestamptz null,
     -- When the gateway said what the status says (the event's time): older news never overwrites it.
     status_at timestamptz not null,
     opened_at timestamptz not null default now(),
     closed_at timestamptz null,
     reversed_amount bigint not null default 0 check (reversed_amount >= 0),
     reversed_at timestamptz null,
     opened_mailed_at timestamptz null,
     closed_mailed_at timestamptz null,
     primary key (gateway, issuer, dispute_id)
   )`,
  `create index disputes_invoice_idx on disputes (invoice_id) where invoice_id is not null`,
  `create index disputes_payment_idx on disputes (gateway, payment_id)`,
];

const DOWN = [
  'drop table if exists disputes',
  'alter table payments drop constraint if exists payments_reversed_check',
  'alter table payments drop column if exists reversed',
  'alter table invoices drop column if exists dunning_from',
  'alter table payment_events drop column if exists dispute',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
