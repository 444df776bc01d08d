/**
 * Revenue figures of a seller (`GET /v1/billing/revenue`): what it invoiced and was paid this
 * month, what is overdue, its monthly recurring revenue, and twelve months of invoiced and paid
 * amounts. From its customers only (its tree, without itself: a reseller's own invoices from the
 * platform are its costs); an administrator's tree is everyone. One currency at a time: amounts
 * in different currencies do not add up.
 */
import type { Actor, TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { currencyExponent } from './money.js';
import { n, type BillingStore } from './store.js';

export interface RevenueMonth {
  /** `YYYY-MM`. */
  month: string;
  invoiced: number;
  paid: number;
  /** The same in major units (euros), for the chart. */
  invoicedMajor: number;
  paidMajor: number;
}

export interface Revenue {
  currency: string;
  /** Currencies the seller has invoiced in (pick one with `?currency=`). */
  currencies: string[];
  month: string;
  invoicedThisMonth: number;
  paidThisMonth: number;
  overdue: number;
  /** Active subscriptions' prices per month (a yearly price counts a twelfth), rounded once. */
  monthlyRecurring: number;
  items: RevenueMonth[];
}

/** `2026-12` and the eleven months before it, oldest first. */
export function lastMonths(today: string, count: number): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const k = y * 12 + (m - 1) - (count - 1 - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
}

function shift(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const k = y * 12 + (m - 1) + by;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

/** Monthly amount of a price billed every `cycle`, as an exact fraction of twelfths. */
const TWELFTHS: Record<string, number> = { monthly: 12, quarterly: 4, yearly: 1 };

export class RevenueService {
  constructor(
    private readonly store: BillingStore,
    private readonly tenancy: TenancyService,
  ) {}

  private get t(): string {
    return `${this.store.db.schema}.invoices`;
  }

  /** Invoices of the actor's customers (its tree without itself). */
  private invoices(actor: Pick<Actor, 'userId' | 'role'>): Knex.QueryBuilder {
    const q = this.store.db.knex.from(this.t).whereNot(`${this.t}.customer_id`, actor.userId);
    return this.tenancy.scope(q, actor, `${this.t}.customer_id`);
  }

  async currencies(actor: Pick<Actor, 'userId' | 'role'>): Promise<string[]> {
    const rows = (await this.invoices(actor)
      .whereNotIn(`${this.t}.status`, ['draft', 'void'])
      .groupBy(`${this.t}.currency`)
      .select(this.store.db.knex.raw(`${this.t}.currency::text as currency, count(*) as c`))
      .orderBy('c', 'desc')) as Array<{ currency: string }>;
    return rows.map((r) => r.currency.trim());
  }

  async of(actor: Pick<Actor, 'userId' | 'role'>, today: string, wanted?: string, count = 12): Promise<Revenue> {
    const currencies = await this.currencies(actor);
    const currency = wanted ?? currencies[0] ?? 'EUR';
    const months = lastMonths(today, count);
    const first = `${months[0]}-01`;
    const thisMonth = months[months.length - 1]!;
    const end = `${shift(thisMonth, 1)}-01`;
    const knex = this.store.db.knex;
    const t = this.t;
    const issued = () => this.invoices(actor).where(`${t}.currency`, currency).whereNotIn(`${t}.status`, ['draft', 'void']);

    const invoicedRows = (await issued()
      .where(`${t}.issue_date`, '>=', first)
      .andWhere(`${t}.issue_date`, '<', end)
      .groupByRaw(`to_char(${t}.issue_date, 'YYYY-MM')`)
      .select(knex.raw(`to_char(${t}.issue_date, 'YYYY-MM') as month, sum(${t}.total) as amount`))) as Array<{
      month: string;
      amount: string;
    }>;
    const p = `${this.store.db.schema}.payments`;
    const paidRows = (await this.invoices(actor)
      .where(`${t}.currency`, currency)
      .join(p, `${p}.invoice_id`, `${t}.id`)
      .where(`${p}.created_at`, '>=', knex.raw(`?::date at time zone 'UTC'`, [first]))
      .andWhere(`${p}.created_at`, '<', knex.raw(`?::date at time zone 'UTC'`, [end]))
      .groupByRaw(`to_char(${p}.created_at at time zone 'UTC', 'YYYY-MM')`)
      .select(knex.raw(`to_char(${p}.created_at at time zone 'UTC', 'YYYY-MM') as month, sum(${p}.amount) as amount`))) as Array<{
      month: string;
      amount: string;
    }>;
    const [overdueRow] = (await issued()
      .whereIn(`${t}.status`, ['unpaid', 'overdue'])
      .andWhere(`${t}.due_date`, '<', today)
      .select(knex.raw(`coalesce(sum(${t}.total - ${t}.amount_paid), 0) as amount`))) as Array<{ amount: string }>;

    const subs = this.tenancy
      .scope(
        knex
          .from('plugin_accounts.subscriptions as s')
          .join('plugin_accounts.packages as pk', 'pk.id', 's.package_id')
          .where('s.status', 'active')
          .whereNot('s.customer_id', actor.userId)
          .andWhereRaw('pk.currency::text = ?', [currency]),
        actor,
        's.customer_id',
      )
      .select(
        's.billing_cycle as cycle',
        knex.raw(
          `sum(case s.billing_cycle when 'monthly' then pk.price_monthly when 'quarterly' then pk.price_quarterly else pk.price_yearly end) as amount`,
        ),
      )
      .groupBy('s.billing_cycle');
    const subRows = (await subs) as Array<{ cycle: string; amount: string | null }>;
    // Sum in twelfths, round once: three quarterly subscriptions of 100 make 100 a month, not 99.
    const twelfths = subRows.reduce((sum, r) => sum + n(r.amount ?? 0) * (TWELFTHS[r.cycle] ?? 0), 0);
    const monthlyRecurring = Math.round(twelfths / 12);

    const byMonth = (rows: Array<{ month: string; amount: string }>) => new Map(rows.map((r) => [r.month, n(r.amount)]));
    const invoiced = byMonth(invoicedRows);
    const paid = byMonth(paidRows);
    const unit = 10 ** currencyExponent(currency);
    const items = months.map((month) => ({
      month,
      invoiced: invoiced.get(month) ?? 0,
      paid: paid.get(month) ?? 0,
      invoicedMajor: (invoiced.get(month) ?? 0) / unit,
      paidMajor: (paid.get(month) ?? 0) / unit,
    }));
    return {
      currency,
      currencies,
      month: thisMonth,
      invoicedThisMonth: invoiced.get(thisMonth) ?? 0,
      paidThisMonth: paid.get(thisMonth) ?? 0,
      overdue: n(overdueRow?.amount ?? 0),
      monthlyRecurring,
      items,
    };
  }
}
