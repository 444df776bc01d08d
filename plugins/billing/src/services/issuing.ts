/**
 * What issuing an invoice reads: the issuer's settings, the customer's tax profile and billing
 * address, the issuer's tax rates and, for a subscription, what it holds. Read in one statement
 * (`Invoicing.issuing`, `Invoicing.dueForJob`): a run issues thousands of invoices.
 */
import type { Knex } from 'knex';
import type { IssuerSettings } from './invoicing.js';
import type { BillingStore } from './store.js';
import type { CustomerTaxProfile, TaxRate } from './tax.js';

/** A customer's tax profile and billing address. */
export type CustomerProfile = CustomerTaxProfile & { address: string };

/** What issuing an invoice reads (see `Invoicing.issuing`). */
export interface Issuing {
  settings: IssuerSettings;
  profile: CustomerProfile;
  rates: TaxRate[];
}

/** What a subscription holds that changes its next invoice (see `Invoicing.issuing`). */
export interface SubscriptionHolds {
  invoicedBefore: boolean;
  coupon: boolean;
  credit: boolean;
}

export const ISSUER_COLUMNS = [
  'name',
  'address',
  'country',
  'tax_id',
  'number_prefix',
  'reply_to',
  'prices_include_tax',
  'payment_terms_days',
] as const;
export type IssuerRow = {
  name: string | null;
  address: string | null;
  country: string | null;
  tax_id: string | null;
  number_prefix: string | null;
  reply_to: string | null;
  prices_include_tax: boolean | null;
  payment_terms_days: number | null;
};
const PROFILE_COLUMNS = ['country', 'region', 'vat_id', 'is_business', 'address'];
const RATE_COLUMNS = ['country', 'region', 'name', 'rate_bp'];

export interface IssuingRow {
  issuer_row: IssuerRow | null;
  profile_row: Record<string, unknown> | null;
  rates_rows: Array<Record<string, unknown>>;
  invoiced_before?: boolean;
  coupon?: boolean;
  credit?: boolean;
}

/**
 * The columns `Invoicing.issuing` reads, for the row `x` (its `issuer` and `customer_id`, and
 * with `holds` its subscription's `id` and `currency`).
 */
export function issuingColumns(schema: string, x: string, holds: boolean): string {
  const object = (columns: readonly string[], alias: string) => columns.map((c) => `'${c}', ${alias}.${c}`).join(', ');
  const columns = [
    `(select json_build_object(${object(ISSUER_COLUMNS, 'i')}) from ${schema}.issuers i where i.issuer = ${x}.issuer) as issuer_row`,
    `(select json_build_object(${object(PROFILE_COLUMNS, 'b')}) from ${schema}.billing_profiles b
       where b.user_id = ${x}.customer_id) as profile_row`,
    `(select coalesce(json_agg(json_build_object(${object(RATE_COLUMNS, 't')})), '[]'::json) from ${schema}.tax_rates t
       where t.issuer = ${x}.issuer) as rates_rows`,
  ];
  if (holds)
    columns.push(
      `exists (select 1 from ${schema}.invoices v where v.subscription_id = ${x}.id and v.status <> 'void') as invoiced_before`,
      `exists (select 1 from ${schema}.subscription_coupons sc join ${schema}.coupons c on c.id = sc.coupon_id
                where sc.subscription_id = ${x}.id and (c.duration = 'recurring' or sc.consumed_invoice_id is null)) as coupon`,
      `exists (select 1 from ${schema}.credit_balances cb
                where cb.customer_id = ${x}.customer_id and cb.issuer = ${x}.issuer and cb.currency = ${x}.currency
                  and cb.balance > 0) as credit`,
    );
  return columns.join(',\n');
}

export async function customerProfile(store: BillingStore, userId: string, trx?: Knex.Transaction): Promise<CustomerProfile> {
  return profileOf(await store.db.table('billing_profiles', trx).where({ user_id: userId }).first(PROFILE_COLUMNS));
}

export function profileOf(row: Record<string, unknown> | undefined): CustomerProfile {
  return {
    country: (row?.country as string | null) ?? null,
    region: (row?.region as string | null) ?? null,
    vatId: (row?.vat_id as string | null) ?? null,
    isBusiness: (row?.is_business as boolean) ?? false,
    address: (row?.address as string) ?? '',
  };
}

export function rateOf(r: Record<string, unknown>): TaxRate {
  return {
    country: r.country as string,
    region: (r.region as string | null) ?? null,
    name: r.name as string,
    rateBp: r.rate_bp as number,
  };
}
