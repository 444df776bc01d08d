/**
 * The recurring run: one durable job per due subscription, each making that period's invoice
 * once, then moving the subscription's next due date (through accounts' service).
 *
 * Why it never makes two and never leaves a gap (docs/decisions/0019):
 * - the invoice row is inserted first, `on conflict do nothing` on the unique index
 *   (subscription_id, period_start): a second run, concurrent or later, inserts nothing and stops;
 * - its number is taken afterwards, in the same transaction, from `invoice_sequences` (an upsert
 *   that locks the issuer's year row): an increment commits only with the invoice that took it,
 *   so a crash or a lost race leaves no hole;
 * - the due date moves after the commit, as a compare-and-set from the period's start: a job
 *   killed between the two finds its invoice on the re-run and moves the date then.
 */
import type { JobsService, Logger, UsersService } from '@hostplane/sdk';
import type { AccountsBillingService } from '@hostplane/plugin-accounts';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import { issueDraft, issueSubscriptionInvoice } from './issue-invoice.js';
import { addCycle, addDays } from './periods.js';
import type { BillingStore } from './store.js';
import { type DueSubscription } from './store.js';
import {
  ISSUER_COLUMNS,
  issuingColumns,
  profileOf,
  rateOf,
  type IssuerRow,
  type Issuing,
  type IssuingRow,
  type SubscriptionHolds,
} from './issuing.js';
import { resolveTax } from './tax.js';
import type { Credits } from './credits.js';
import type { Coupons } from './coupons.js';

export const INVOICE_JOB = 'invoice-subscription';
export const RUN_JOB = 'run';
/** The invoice mail with its PDF (services/documents.ts). */
export const DELIVER_JOB = 'deliver-invoice';

export interface InvoicePayload {
  subscriptionId: string;
  periodStart: string;
  /** The run's date: the invoice's issue date. */
  date: string;
}

export interface InvoicingDeps {
  store: BillingStore;
  users: UsersService;
  jobs: JobsService;
  accounts: () => AccountsBillingService;
  logger: Logger;
  /** Pays a just-issued invoice from the customer's credit balance (services/credits.ts). */
  credits?: Pick<Credits, 'applyToInvoice'>;
  /** The discount line of the coupon a subscription holds (services/coupons.ts). */
  coupons?: Pick<Coupons, 'discountLine' | 'spend'>;
}

export interface IssuerSettings {
  issuer: string;
  name: string;
  address: string;
  country: string | null;
  taxId: string | null;
  numberPrefix: string;
  replyTo: string | null;
  pricesIncludeTax: boolean;
  paymentTermsDays: number;
}

/** What happened to one subscription. */
export type InvoiceOutcome = (
  | { outcome: 'issued'; invoiceId: string; number: string }
  | { outcome: 'exists'; invoiceId: string }
  | { outcome: 'skipped'; reason: string }
) & {
  /** The next due date this call moved the subscription to, when it did. */
  advancedTo?: string;
};

export class Invoicing {
  constructor(private readonly deps: InvoicingDeps) {}

  get store(): BillingStore {
    return this.deps.store;
  }

  /** Invoices issued so far (for the CLI's `--wait` summary). */
  async issuedCount(): Promise<number> {
    const [row] = (await this.deps.store.invoices().whereNot({ status: 'draft' }).count({ c: '*' })) as Array<{ c: string }>;
    return Number(row?.c ?? 0);
  }

  /**
   * The job: invoice one period, then queue the next one if the subscription is still due on
   * the run's date (a subscription several periods behind catches up one period per job).
   */
  async runJob(payload: InvoicePayload): Promise<InvoiceOutcome> {
    const result = await this.invoiceSubscription(payload);
    // Still due on the run's date after this period: the next period's job (it checks again).
    const next = result.advancedTo;
    if (next && next <= payload.date) {
      await this.deps.jobs.enqueue(
        INVOICE_JOB,
        { subscriptionId: payload.subscriptionId, periodStart: next, date: payload.date },
        { jobKey: `billing:invoice:${payload.subscriptionId}:${next}` },
      );
    }
    return result;
  }

  /** Queue one job per subscription due on `date`; returns what was queued. */
  async enqueueDue(date: string): Promise<DueSubscription[]> {
    const { store, jobs } = this.deps;
    return store.db.transaction(async (trx) => {
      const due = await store.dueSubscriptions(date, trx);
      // One statement per thousand jobs (10,000 one by one took 16 s of a run). The key folds a
      // second run's job into the first while it waits; the unique index does the rest.
      await jobs.enqueueMany(
        INVOICE_JOB,
        due.map((s) => ({
          payload: { subscriptionId: s.id, periodStart: s.next_due_date, date } satisfies InvoicePayload,
          jobKey: `billing:invoice:${s.id}:${s.next_due_date}`,
        })),
        { trx },
      );
      return due;
    });
  }

  /**
   * Invoice one subscription for the period starting `periodStart`, once. Safe to run any
   * number of times, at once or after a crash.
   */
  async invoiceSubscription(payload: InvoicePayload): Promise<InvoiceOutcome> {
    const { store } = this.deps;
    const found = await this.dueForJob(payload.subscriptionId, payload.periodStart);
    const sub = found?.sub;
    // Not due (any more): a re-run after the date moved still names the period's invoice.
    const existing =
      sub?.invoiced ??
      (sub
        ? null
        : ((
            await store
              .invoices()
              .where({ subscription_id: payload.subscriptionId, period_start: payload.periodStart })
              .first('id')
          )?.id as string | undefined));
    if (existing) {
      const advancedTo = sub && sub.next_due_date === payload.periodStart ? await this.advance(sub) : undefined;
      return { outcome: 'exists', invoiceId: existing, ...(advancedTo ? { advancedTo } : {}) };
    }
    if (!sub || sub.next_due_date !== payload.periodStart) return { outcome: 'skipped', reason: 'no longer due for this period' };
    if (sub.price === null) {
      this.deps.logger.warn(
        { subscriptionId: sub.id, cycle: sub.billing_cycle },
        'package has no price for this cycle; not invoiced',
      );
      return { outcome: 'skipped', reason: `the package has no ${sub.billing_cycle} price` };
    }
    const made = await this.issue(sub, payload.date, found!.issuing);
    const advancedTo = await this.advance(sub);
    return { ...made, ...(advancedTo ? { advancedTo } : {}) };
  }

  /** Move the next due date one cycle on; the new date, or undefined when it had changed meanwhile. */
  private async advance(sub: DueSubscription): Promise<string | undefined> {
    const to = addCycle(sub.next_due_date, sub.billing_cycle);
    const moved = await this.deps.accounts().advanceNextDueDate({ subscriptionId: sub.id, from: sub.next_due_date, to });
    if (moved) return to;
    this.deps.logger.warn({ subscriptionId: sub.id }, 'next due date changed meanwhile; left as it is');
    return undefined;
  }

  /** Who sells to `customerId`: its reseller, or the platform. */
  async issuerOf(customerId: string): Promise<string> {
    const customer = await this.deps.users.get(customerId);
    if (!customer?.parentId) return 'platform';
    const parent = await this.deps.users.get(customer.parentId);
    return parent?.role === 'reseller' ? parent.id : 'platform';
  }

  async issuerSettings(issuer: string, trx?: Knex.Transaction): Promise<IssuerSettings> {
    const row = (await this.deps.store.db.table('issuers', trx).where({ issuer }).first(ISSUER_COLUMNS)) as IssuerRow | undefined;
    return this.settingsOf(issuer, row);
  }

  /**
   * What taxing an invoice reads, in one statement: the issuer's settings, the customer's tax
   * profile and the issuer's tax rates.
   */
  async issuing(issuer: string, customerId: string, trx?: Knex.Transaction): Promise<Issuing>;
  /**
   * With `subscription`: also whether it was invoiced before (the setup fee goes on its first
   * invoice only), holds a coupon, and whether the customer has credit with this issuer in its
   * currency, so that a run asks the coupon and credit services only when there is something.
   */
  async issuing(
    issuer: string,
    customerId: string,
    trx: Knex.Transaction | undefined,
    subscription: { id: string; currency: string },
  ): Promise<Issuing & { held: SubscriptionHolds }>;
  async issuing(
    issuer: string,
    customerId: string,
    trx?: Knex.Transaction,
    subscription?: { id: string; currency: string },
  ): Promise<Issuing & { held?: SubscriptionHolds }> {
    const { rows } = await (trx ?? this.deps.store.db.knex).raw<{ rows: IssuingRow[] }>(
      `select ${issuingColumns(this.deps.store.db.schema, 'x', subscription !== undefined)}
         from (values (?::text, ?::uuid, ?::uuid, ?::text)) as x(issuer, customer_id, id, currency)`,
      [issuer, customerId, subscription?.id ?? null, subscription?.currency ?? null],
    );
    return this.issuingOf(issuer, rows[0]!, subscription !== undefined);
  }

  /**
   * An invoice job's subscription, if due on `periodStart`, with the invoice already made for
   * that period (a re-run's) and all `issuing` reads for it, in one statement.
   */
  async dueForJob(
    subscriptionId: string,
    periodStart: string,
  ): Promise<{ sub: DueSubscription & { invoiced: string | null }; issuing: Issuing & { held: SubscriptionHolds } } | null> {
    const { store } = this.deps;
    const rows = (await store.db.knex
      .select('x.*', store.db.knex.raw(issuingColumns(store.db.schema, 'x', true)))
      .from(store.dueForJobQuery(subscriptionId, periodStart).as('x'))
      // Prepared once per connection: planning this statement took 2.9 ms, fifteen times its run.
      .options({ name: 'hostplane_billing_due_for_job' })) as Array<
      DueSubscription & { invoiced: string | null; currency: string } & IssuingRow
    >;
    const row = rows[0];
    if (!row) return null;
    const { issuer_row: _i, profile_row: _p, rates_rows: _r, invoiced_before: _b, coupon: _c, credit: _d, ...sub } = row;
    const issuing = await this.issuingOf(sub.issuer, row, true);
    return { sub: { ...sub, currency: sub.currency.trim() }, issuing: issuing as Issuing & { held: SubscriptionHolds } };
  }

  private async issuingOf(issuer: string, row: IssuingRow, holds: boolean): Promise<Issuing & { held?: SubscriptionHolds }> {
    return {
      settings: await this.settingsOf(issuer, row.issuer_row ?? undefined),
      profile: profileOf(row.profile_row ?? undefined),
      rates: row.rates_rows.map(rateOf),
      ...(holds
        ? { held: { invoicedBefore: row.invoiced_before === true, coupon: row.coupon === true, credit: row.credit === true } }
        : {}),
    };
  }

  private async settingsOf(issuer: string, row: IssuerRow | undefined): Promise<IssuerSettings> {
    let name = row?.name ?? undefined;
    if (!name) name = issuer === 'platform' ? 'Hostplane' : ((await this.deps.users.get(issuer))?.name ?? 'Hostplane');
    return {
      issuer,
      name,
      address: row?.address ?? '',
      country: row?.country ?? null,
      taxId: row?.tax_id ?? null,
      numberPrefix: row?.number_prefix ?? 'INV-',
      replyTo: row?.reply_to ?? null,
      pricesIncludeTax: row?.prices_include_tax ?? false,
      paymentTermsDays: row?.payment_terms_days ?? 14,
    };
  }

  /**
   * A one-off invoice of manual lines, issued at once by the customer's seller (or an admin):
   * numbered in the same sequence, taxed like the recurring ones.
   */
  async issueManual(input: {
    customerId: string;
    currency: string;
    lines: Array<{ description: string; quantity: number; unitAmount: number }>;
    date: string;
  }): Promise<string> {
    const { store, users } = this.deps;
    const customer = await users.get(input.customerId);
    if (!customer) throw BillingErrors.customerInvalid('no such customer');
    const issuer = await this.issuerOf(customer.id);
    return store.db.transaction(async (trx) => {
      const { settings, profile, rates } = await this.issuing(issuer, customer.id, trx);
      const tax = resolveTax(settings.country, profile, rates);
      const [row] = (await store
        .invoices(trx)
        .insert({
          issuer,
          customer_id: customer.id,
          currency: input.currency,
          prices_include_tax: settings.pricesIncludeTax,
          reverse_charge: tax.reverseCharge,
        })
        .returning('id')) as Array<{ id: string }>;
      await issueDraft(trx, store, row!.id, {
        settings,
        date: input.date,
        tax,
        lines: input.lines.map((l) => ({
          kind: 'manual',
          description: l.description,
          amount: l.unitAmount,
          quantity: l.quantity,
        })),
        customer: { id: customer.id, name: customer.name, email: customer.email, ...profile },
      });
      await this.deps.credits?.applyToInvoice(trx, row!.id);
      await this.deps.jobs.enqueue(DELIVER_JOB, { invoiceId: row!.id }, { trx, jobKey: `billing:deliver:${row!.id}` });
      return row!.id;
    });
  }

  private async issue(
    sub: DueSubscription,
    date: string,
    issuing: Issuing & { held: SubscriptionHolds },
  ): Promise<InvoiceOutcome> {
    const { store } = this.deps;
    const { settings, profile, rates, held } = issuing;
    const tax = resolveTax(settings.country, profile, rates);
    const periodEnd = addCycle(sub.next_due_date, sub.billing_cycle);
    const lines = [
      {
        kind: 'package',
        description: `${sub.package_name} (${sub.next_due_date} – ${addDays(periodEnd, -1)})`,
        amount: sub.price!,
      },
    ];
    if (!held.invoicedBefore && sub.setup_fee > 0)
      lines.push({ kind: 'setup_fee', description: `Setup fee: ${sub.package_name}`, amount: sub.setup_fee });
    const base = lines.reduce((sum, l) => sum + l.amount, 0);
    const id = randomUUID();
    const customer = { id: sub.customer_id, name: sub.customer_name, email: sub.customer_email, ...profile };
    return store.db.transaction(async (trx) => {
      const discount = held.coupon ? await this.deps.coupons?.discountLine(trx, sub.id, sub.currency, base) : null;
      const number = await issueSubscriptionInvoice(
        trx,
        store,
        {
          id,
          issuer: sub.issuer,
          customerId: sub.customer_id,
          subscriptionId: sub.id,
          periodStart: sub.next_due_date,
          periodEnd,
          currency: sub.currency,
          reverseCharge: tax.reverseCharge,
        },
        { settings, date, tax, lines: discount ? [...lines, discount.line] : lines, customer },
        discount?.once ? () => this.deps.coupons!.spend(trx, sub.id, id) : undefined,
      );
      if (!number) {
        const other = await store.invoices(trx).where({ subscription_id: sub.id, period_start: sub.next_due_date }).first('id');
        return { outcome: 'exists', invoiceId: other.id as string };
      }
      // Credit the customer holds pays what it can, before the mail says what is left to pay.
      if (held.credit) await this.deps.credits?.applyToInvoice(trx, id);
      // The mail with its PDF follows in a job of its own (rendering is CPU work for the pool),
      // queued in this transaction: it exists exactly when the invoice does.
      await this.deps.jobs.enqueue(DELIVER_JOB, { invoiceId: id }, { trx, jobKey: `billing:deliver:${id}` });
      return { outcome: 'issued', invoiceId: id, number };
    });
  }
}
