// Runs inside the plugin's own schema (plugin_payment_manual). What a bank transfer gateway has
// to remember to keep its promises: a customer and a payment per idempotency key (asked twice,
// it answers the same), and refunds bounded by what was paid.
const UP = [
  `create table customers (
     id text primary key,
     issuer_id text not null,
     idempotency_key text not null,
     reference text not null,
     email text not null,
     name text not null,
     created_at timestamptz not null default now(),
     unique (issuer_id, idempotency_key)
   )`,
  `create table payments (
     id text primary key,
     issuer_id text not null,
     idempotency_key text not null,
     customer_id text not null,
     invoice_id text not null,
     amount bigint not null check (amount > 0),
     currency text not null check (currency ~ '^[A-Z]{3}$'),
     refunded bigint not null default 0 check (refunded >= 0 and refunded <= amount),
     created_at timestamptz not null default now(),
     unique (issuer_id, idempotency_key)
   )`,
  `create table refunds (
     id text primary key,
     payment_id text not null references payments (id),
     idempotency_key text not null,
     amount bigint not null check (amount > 0),
     created_at timestamptz not null default now(),
     unique (payment_id, idempotency_key)
   )`,
];

const DOWN = ['drop table if exists refunds', 'drop table if exists payments', 'drop table if exists customers'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
