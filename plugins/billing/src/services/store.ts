/** Billing's tables and the shared accounts tables it reads, in one place. */
import type { DatabaseService } from '@hostplane/sdk';
import type { Knex } from 'knex';

export interface InvoiceRow {
  id: string;
  issuer: string;
  customer_id: string;
  subscription_id: string | null;
  period_start: string | null;
  period_end: string | null;
  number: string | null;
  status: 'draft' | 'unpaid' | 'paid' | 'overdue' | 'void' | 'refunded' | 'partially_refunded';
  currency: string;
  prices_include_tax: boolean;
  reverse_charge: boolean;
  subtotal: string | number;
  tax_total: string | number;
  total: string | number;
  amount_paid: string | number;
  amount_refunded: string | number;
  issuer_snapshot: Record<string, unknown>;
  customer_snapshot: Record<string, unknown>;
  issue_date: string | null;
  due_date: string | null;
  paid_at: Date | null;
  voided_at: Date | null;
  void_reason: string | null;
  mailed_at: Date | null;
  /** Set when a lost dispute reversed a payment: dunning counts its days from here (docs/decisions/0078). */
  dunning_from: string | null;
  created_at: Date;
}

export interface LineRow {
  id: string;
  kind: string;
  description: string;
  quantity: number;
  unit_amount: string | number;
  amount: string | number;
  tax_name: string;
  tax_rate_bp: number;
}

/** A subscription that is due, with what its package costs. */
export interface DueSubscription {
  id: string;
  customer_id: string;
  billing_cycle: 'monthly' | 'quarterly' | 'yearly';
  next_due_date: string;
  package_name: string;
  currency: string;
  price: number | null;
  setup_fee: number;
  /** The customer's name and address, and who sells to it (its reseller, or `platform`): read with the subscription. */
  customer_name: string;
  customer_email: string;
  issuer: string;
}

/** Dates as text: a date has no time zone, and pg would make one up. */
export const INVOICE_COLUMNS = [
  'id',
  'issuer',
  'customer_id',
  'subscription_id',
  'period_start::text as period_start',
  'period_end::text as period_end',
  'number',
  'status',
  'currency',
  'prices_include_tax',
  'reverse_charge',
  'subtotal',
  'tax_total',
  'total',
  'amount_paid',
  'amount_refunded',
  'issuer_snapshot',
  'customer_snapshot',
  'issue_date::text as issue_date',
  'due_date::text as due_date',
  'paid_at',
  'voided_at',
  'void_reason',
  'mailed_at',
  'dunning_from::text as dunning_from',
  'created_at',
];

export class BillingStore {
  constructor(readonly db: DatabaseService) {}

  invoices(trx?: Knex.Transaction): Knex.QueryBuilder {
    return this.db.table('invoices', trx);
  }

  selectInvoices(trx?: Knex.Transaction): Knex.QueryBuilder {
    const t = `${this.db.schema}.invoices`;
    return this.invoices(trx).select(INVOICE_COLUMNS.map((c) => this.db.knex.raw(`${t}.${c}`)));
  }

  /** Subscriptions due on or before `date` (accounts' shared tables, read-only). */
  async dueSubscriptions(date: string, trx?: Knex.Transaction, ids?: string[]): Promise<DueSubscription[]> {
    const q = this.dueQuery(date, trx);
    if (ids) q.whereIn('s.id', ids);
    const rows = (await q) as Array<DueSubscription & { currency: string }>;
    return rows.map((r) => ({ ...r, currency: r.currency.trim() }));
  }

  /**
   * How many subscriptions with a price for their cycle are due on `date`: what a run still has
   * to invoice. A count, without the joins `dueSubscriptions` makes, for a poll that may repeat
   * every few hundred milliseconds through a run of thousands.
   */
  async dueCount(date: string): Promise<number> {
    const [row] = (await this.db.knex
      .from('plugin_accounts.subscriptions as s')
      .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
      .whereIn('s.status', DUE_STATUSES)
      .andWhere('s.next_due_date', '<=', date)
      .whereRaw(`${PRICE_OF_CYCLE} is not null`)
      .count({ n: '*' })) as Array<{ n: string }>;
    return Number(row?.n ?? 0);
  }

  /**
   * An invoice job's subscription, if due on `periodStart`, with the id of the invoice already
   * made for that period (`invoiced`: a re-run's). Untrimmed: `Invoicing.dueForJob` reads it.
   */
  dueForJobQuery(subscriptionId: string, periodStart: string): Knex.QueryBuilder {
    return this.dueQuery(periodStart)
      .where('s.id', subscriptionId)
      .select(
        this.db.knex.raw(
          `(select i.id from ${this.db.schema}.invoices i where i.subscription_id = s.id and i.period_start = ?) as invoiced`,
          [periodStart],
        ),
      );
  }

  /**
   * A subscription's columns and its package's price for its cycle, from `s` (accounts'
   * subscriptions) joined with `p` (its package).
   */
  subscriptionColumns(): Array<string | Knex.Raw> {
    const { knex } = this.db;
    return [
      's.id',
      's.customer_id',
      's.billing_cycle',
      knex.raw('s.next_due_date::text as next_due_date'),
      'p.name as package_name',
      knex.raw('p.currency::text as currency'),
      knex.raw(`${PRICE_OF_CYCLE} as price`),
      'p.setup_fee',
    ];
  }

  private dueQuery(date: string, trx?: Knex.Transaction): Knex.QueryBuilder {
    return (
      (trx ?? this.db.knex)
        .from('plugin_accounts.subscriptions as s')
        .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
        // The customer and its seller in the same query: two lookups less per invoice of a run.
        .join('hostplane.users as c', 'c.id', 's.customer_id')
        .leftJoin('hostplane.users as seller', 'seller.id', 'c.parent_id')
        .whereIn('s.status', DUE_STATUSES)
        .andWhere('s.next_due_date', '<=', date)
        .select(
          ...this.subscriptionColumns(),
          'c.name as customer_name',
          'c.email as customer_email',
          this.db.knex.raw(`case when seller.role = 'reseller' then seller.id::text else 'platform' end as issuer`),
        )
        .orderBy('s.id')
    );
  }
}

/** The statuses a subscription is invoiced in (a suspended one still owes its periods). */
const DUE_STATUSES = ['active', 'suspended'];
/** A subscription's (`s`) price for its cycle on its package (`p`); null: no price for that cycle. */
const PRICE_OF_CYCLE = `case s.billing_cycle when 'monthly' then p.price_monthly when 'quarterly' then p.price_quarterly else p.price_yearly end`;

/** Amount columns come back from pg as strings (bigint). */
export const n = (value: string | number): number => Number(value);
