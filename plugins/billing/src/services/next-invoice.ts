/**
 * What a subscription's next invoice will be, computed as the recurring run would issue it
 * today (services/invoicing.ts `issue`): the package's price for the cycle, the setup fee on the
 * first invoice, the held coupon's discount, and the tax of the customer's place at the issuer's
 * rates. Nothing is written: no number is taken and a `once` coupon is not spent. Credit the
 * customer holds is shown apart, because it pays the invoice after it is issued.
 *
 * A preview, not a promise: a package, profile, rate or coupon changed before the due date
 * changes the invoice too.
 */
import type { Actor, TenancyService } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import type { Coupons } from './coupons.js';
import { discountLineOf } from './coupons.js';
import type { Credits } from './credits.js';
import { type Invoicing } from './invoicing.js';
import { invoiceTotals } from './money.js';
import { addCycle, addDays } from './periods.js';
import { n, type BillingStore } from './store.js';
import { resolveTax } from './tax.js';

export interface NextInvoiceLine {
  kind: string;
  description: string;
  amount: number;
  taxName: string;
  taxRateBp: number;
}

export interface NextInvoice {
  subscriptionId: string;
  customerId: string;
  packageName: string;
  status: string;
  currency: string;
  /** Null when no invoice is coming: `reason` says why. */
  issueDate: string | null;
  dueDate: string | null;
  periodStart: string | null;
  /** The period's last day. */
  periodEnd: string | null;
  pricesIncludeTax: boolean;
  lines: NextInvoiceLine[];
  subtotal: number | null;
  taxTotal: number | null;
  total: number | null;
  /** The customer's credit at this issuer in this currency, which pays the invoice first. */
  creditAvailable: number;
  reason: string | null;
}

interface SubscriptionRow {
  id: string;
  customer_id: string;
  status: string;
  billing_cycle: 'monthly' | 'quarterly' | 'yearly';
  next_due_date: string | null;
  package_name: string;
  currency: string;
  price: string | number | null;
  setup_fee: string | number;
}

export class NextInvoices {
  constructor(
    private readonly deps: {
      store: BillingStore;
      tenancy: TenancyService;
      invoicing: Invoicing;
      coupons: Coupons;
      credits: Credits;
      /** Today (`YYYY-MM-DD`): an overdue period is invoiced by the next run, not in the past. */
      today: () => string;
    },
  ) {}

  /** Subscriptions of the actor's tree, newest first (at most `limit`). */
  private subscriptions(actor: Pick<Actor, 'userId' | 'role'>) {
    const { store, tenancy } = this.deps;
    const q = store.db.knex
      .from('plugin_accounts.subscriptions as s')
      .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
      .select(...store.subscriptionColumns(), 's.status');
    return tenancy.scope(q, actor, 's.customer_id');
  }

  /** One subscription's next invoice; another tree's subscription is unknown (404). */
  async forSubscription(actor: Pick<Actor, 'userId' | 'role'>, id: string): Promise<NextInvoice> {
    const row = (await this.subscriptions(actor).where('s.id', id).first()) as SubscriptionRow | undefined;
    if (!row) throw BillingErrors.subscriptionNotFound(id);
    return this.preview(row);
  }

  /** The next invoices of the actor's live subscriptions, soonest first. */
  async upcoming(actor: Pick<Actor, 'userId' | 'role'>, limit: number): Promise<NextInvoice[]> {
    const rows = (await this.subscriptions(actor)
      .whereIn('s.status', ['active', 'suspended'])
      .whereNotNull('s.next_due_date')
      .orderBy([{ column: 's.next_due_date' }, { column: 's.id' }])
      .limit(limit)) as SubscriptionRow[];
    const out: NextInvoice[] = [];
    for (const row of rows) out.push(await this.preview(row));
    return out;
  }

  private async preview(sub: SubscriptionRow): Promise<NextInvoice> {
    const { invoicing, coupons, credits } = this.deps;
    const currency = sub.currency.trim();
    const issuer = await invoicing.issuerOf(sub.customer_id);
    const { settings, profile, rates, held } = await invoicing.issuing(issuer, sub.customer_id, undefined, {
      id: sub.id,
      currency,
    });
    const base: NextInvoice = {
      subscriptionId: sub.id,
      customerId: sub.customer_id,
      packageName: sub.package_name,
      status: sub.status,
      currency,
      issueDate: null,
      dueDate: null,
      periodStart: null,
      periodEnd: null,
      pricesIncludeTax: settings.pricesIncludeTax,
      lines: [],
      subtotal: null,
      taxTotal: null,
      total: null,
      creditAvailable: await credits.balance({ customerId: sub.customer_id, issuer, currency }),
      reason: null,
    };
    // The run invoices active and suspended subscriptions (a suspended one still owes).
    if (!['active', 'suspended'].includes(sub.status) || !sub.next_due_date)
      return { ...base, reason: sub.status === 'pending' ? 'Not active yet' : `No invoice: the subscription is ${sub.status}` };
    if (sub.price === null) return { ...base, reason: `The package has no ${sub.billing_cycle} price: no invoice is made` };
    const start = sub.next_due_date;
    const end = addCycle(start, sub.billing_cycle);
    const lines: Array<{ kind: string; description: string; amount: number }> = [
      { kind: 'package', description: `${sub.package_name} (${start} – ${addDays(end, -1)})`, amount: n(sub.price) },
    ];
    if (!held.invoicedBefore && n(sub.setup_fee) > 0)
      lines.push({ kind: 'setup_fee', description: `Setup fee: ${sub.package_name}`, amount: n(sub.setup_fee) });
    const coupon = held.coupon ? await coupons.heldBy(sub.id) : null;
    const discount = coupon
      ? discountLineOf(
          coupon,
          currency,
          lines.reduce((sum, l) => sum + l.amount, 0),
        )
      : null;
    if (discount) lines.push(discount);
    const tax = resolveTax(settings.country, profile, rates);
    const taxed = lines.map((l) => ({ ...l, taxName: tax.name, taxRateBp: tax.rateBp }));
    const totals = invoiceTotals(taxed, settings.pricesIncludeTax);
    const today = this.deps.today();
    const issueDate = start > today ? start : today;
    return {
      ...base,
      issueDate,
      dueDate: addDays(issueDate, settings.paymentTermsDays),
      periodStart: start,
      periodEnd: addDays(end, -1),
      lines: taxed,
      subtotal: totals.subtotal,
      taxTotal: totals.taxTotal,
      total: totals.total,
    };
  }
}
