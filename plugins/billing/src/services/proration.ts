/**
 * Proration on a package change (docs/decisions/0035). accounts emits
 * `subscription.package_changed` after its transaction commits; billing turns it into a durable
 * job at once (`billing:prorate`, keyed by the event id) that issues one invoice for the rest of
 * the current period: a credit for the unused part of the old package and a charge for the new
 * one, both at the packages' list prices for the subscription's cycle, prorated by days. The
 * invoice's `source_key` (`prorate:<event id>`) is unique, so a job that runs twice makes one.
 * A net credit (a downgrade) is settled at once: the invoice is paid by it and the amount goes
 * to the customer's credit balance, which pays the next invoices.
 */
import type { JobsService, UsersService } from '@hostplane/sdk';
import type { Credits } from './credits.js';
import { divRound } from './money.js';
import { addDays } from './periods.js';
import type { BillingStore } from './store.js';
import { DELIVER_JOB, type Invoicing } from './invoicing.js';
import { issueDraft } from './issue-invoice.js';
import { resolveTax } from './tax.js';

export const PRORATE_JOB = 'prorate';

export interface ProratePayload {
  subscriptionId: string;
  fromPackageId: string;
  toPackageId: string;
  /** The day of the change (`YYYY-MM-DD`): the first day at the new package. */
  date: string;
  /** The event's id: the invoice's idempotency key. */
  eventId: string;
}

const days = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * `price` for the days from `date` to `periodEnd` (exclusive) of the period
 * [`periodStart`, `periodEnd`), rounded half away from zero. 0 outside the period.
 */
export function prorate(price: number, periodStart: string, periodEnd: string, date: string): number {
  const total = days(periodStart, periodEnd);
  const left = days(date, periodEnd);
  if (total <= 0 || left <= 0 || date < periodStart) return 0;
  return Number(divRound(BigInt(price) * BigInt(left), BigInt(total)));
}

export type ProrateOutcome =
  { outcome: 'issued'; invoiceId: string; total: number } | { outcome: 'exists' } | { outcome: 'skipped'; reason: string };

export class Proration {
  constructor(
    private readonly deps: {
      store: BillingStore;
      invoicing: Invoicing;
      users: UsersService;
      credits: Credits;
      jobs: JobsService;
    },
  ) {}

  async run(p: ProratePayload): Promise<ProrateOutcome> {
    const { store, invoicing, users, credits, jobs } = this.deps;
    const sourceKey = `prorate:${p.eventId}`;
    if (await store.invoices().where({ source_key: sourceKey }).first('id')) return { outcome: 'exists' };
    // The period the customer was invoiced for that the change falls in.
    const period = (await store
      .invoices()
      .where({ subscription_id: p.subscriptionId })
      .whereNotNull('period_start')
      .whereNot({ status: 'void' })
      .andWhere('period_start', '<=', p.date)
      .andWhere('period_end', '>', p.date)
      .first(
        store.db.knex.raw('period_start::text as ps'),
        store.db.knex.raw('period_end::text as pe'),
        'customer_id',
        'currency',
      )) as { ps: string; pe: string; customer_id: string; currency: string } | undefined;
    if (!period) return { outcome: 'skipped', reason: 'no invoiced period covers the change' };
    const sub = (await store.db.knex
      .from('plugin_accounts.subscriptions')
      .where({ id: p.subscriptionId })
      .first('billing_cycle')) as { billing_cycle: 'monthly' | 'quarterly' | 'yearly' } | undefined;
    if (!sub) return { outcome: 'skipped', reason: 'the subscription is gone' };
    const priceOf = async (id: string) => {
      const column = `price_${sub.billing_cycle}`;
      const row = (await store.db.knex
        .from('plugin_accounts.packages')
        .where({ id })
        .first('name', column, store.db.knex.raw('currency::text as currency'))) as Record<string, unknown> | undefined;
      return row
        ? { name: row.name as string, price: (row[column] as number | null) ?? 0, currency: (row.currency as string).trim() }
        : null;
    };
    const from = await priceOf(p.fromPackageId);
    const to = await priceOf(p.toPackageId);
    if (!from || !to) return { outcome: 'skipped', reason: 'a package is gone' };
    if (from.currency !== period.currency || to.currency !== period.currency)
      return { outcome: 'skipped', reason: 'the packages are priced in another currency than the period' };
    const credit = prorate(from.price, period.ps, period.pe, p.date);
    const charge = prorate(to.price, period.ps, period.pe, p.date);
    if (credit === 0 && charge === 0) return { outcome: 'skipped', reason: 'nothing left of the period' };
    const customer = await users.get(period.customer_id);
    if (!customer) return { outcome: 'skipped', reason: 'the customer is gone' };
    const issuer = await invoicing.issuerOf(customer.id);
    const lastDay = addDays(period.pe, -1);
    return store.db.transaction(async (trx) => {
      const { settings, profile, rates } = await invoicing.issuing(issuer, customer.id, trx);
      const tax = resolveTax(settings.country, profile, rates);
      const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
        `insert into ${store.db.schema}.invoices
           (issuer, customer_id, subscription_id, currency, prices_include_tax, reverse_charge, source_key)
         values (?, ?, ?, ?, ?, ?, ?)
         on conflict (source_key) where source_key is not null do nothing
         returning id`,
        [issuer, customer.id, p.subscriptionId, period.currency, settings.pricesIncludeTax, tax.reverseCharge, sourceKey],
      );
      const id = rows[0]?.id;
      if (!id) return { outcome: 'exists' } as const;
      await issueDraft(trx, store, id, {
        settings,
        date: p.date,
        tax,
        lines: [
          { kind: 'proration_credit', description: `Unused time on ${from.name} (${p.date} – ${lastDay})`, amount: -credit },
          { kind: 'proration_charge', description: `${to.name} (${p.date} – ${lastDay})`, amount: charge },
        ],
        customer: { id: customer.id, name: customer.name, email: customer.email, ...profile },
      });
      const issued = await store.invoices(trx).where({ id }).first('total');
      const total = Number(issued.total);
      if (total < 0) {
        // A downgrade: what is left over becomes credit for the next invoices.
        await credits.move(trx, {
          customerId: customer.id,
          issuer,
          currency: period.currency,
          amount: -total,
          kind: 'proration',
          invoiceId: id,
          note: `${from.name} → ${to.name}`,
        });
      } else {
        await credits.applyToInvoice(trx, id);
      }
      await jobs.enqueue(DELIVER_JOB, { invoiceId: id }, { trx, jobKey: `billing:deliver:${id}` });
      return { outcome: 'issued', invoiceId: id, total };
    });
  }
}
