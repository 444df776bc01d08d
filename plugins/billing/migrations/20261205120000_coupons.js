// Coupons per issuer (docs/decisions/0035): percent (basis points) or a fixed amount in one
// currency, once (the next invoice) or recurring (every invoice), an expiry for redeeming and a
// redemption limit that a conditional increment enforces under parallel redemptions (and a check
// backs up). A subscription holds at most one coupon.
const UP = [
  `create table coupons (
     id uuid primary key default gen_random_uuid(),
     issuer text not null,
     code text not null check (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
     kind text not null check (kind in ('percent', 'fixed')),
     percent_bp integer null check (percent_bp between 1 and 10000),
     amount bigint null check (amount > 0),
     currency char(3) null check (currency ~ '^[A-Z]{3}$'),
     duration text not null check (duration in ('once', 'recurring')),
     expires_at timestamptz null,
     max_redemptions integer null check (max_redemptions > 0),
     redemptions integer not null default 0 check (redemptions >= 0),
     archived_at timestamptz null,
     created_at timestamptz not null default now(),
     check ((kind = 'percent') = (percent_bp is not null)),
     check ((kind = 'fixed') = (amount is not null and currency is not null)),
     check (max_redemptions is null or redemptions <= max_redemptions),
     unique (issuer, code)
   )`,
  `create table subscription_coupons (
     subscription_id uuid primary key,
     coupon_id uuid not null references coupons (id),
     customer_id uuid not null references hostplane.users (id),
     applied_at timestamptz not null default now(),
     -- A 'once' coupon is spent by the first invoice after it was applied.
     consumed_invoice_id uuid null references invoices (id)
   )`,
  `alter table invoice_lines drop constraint invoice_lines_kind_check`,
  `alter table invoice_lines add constraint invoice_lines_kind_check
     check (kind in ('package', 'setup_fee', 'manual', 'discount', 'proration_credit', 'proration_charge'))`,
];

const DOWN = [
  `alter table invoice_lines drop constraint invoice_lines_kind_check`,
  `alter table invoice_lines add constraint invoice_lines_kind_check check (kind in ('package', 'setup_fee', 'manual'))`,
  'drop table if exists subscription_coupons',
  'drop table if exists coupons',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
