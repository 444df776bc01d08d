/**
 * Dunning (docs/decisions/0035): what happens to an issued invoice left unpaid, day by day
 * relative to its due date, run by the daily `billing:run` job (and so by the test clock):
 * - reminders on the configured days (before, on and after the due date), by mail;
 * - automatic payment retries on the configured days after it, off-session through a gateway
 *   that can (a saved method of the customer at a gateway billing already knows it at);
 * - the subscription suspended after N days overdue through accounts (reason `billing`, at the
 *   platform's level: only payment or an administrator lifts it), and terminated after M days
 *   (off by default);
 * - on payment in full, billing's suspension is lifted unless another invoice of the
 *   subscription is still overdue past the suspension day.
 *
 * Each step is claimed in `dunning_steps` (one row per invoice and step, a ten-minute lease)
 * before it is done and marked done after; a step a crash interrupted is done again once its
 * lease ran out, its gateway call carrying the same idempotency key. A run that missed days does only the latest step of each
 * kind that is due, so a host back from a week off sends one reminder, not four.
 */
import type { Logger, MailerService, PaymentGateway } from '@hostplane/sdk';
import type { AccountsBillingService } from '@hostplane/plugin-accounts';
import type { Knex } from 'knex';
import type { InvoiceService } from './invoices.js';
import type { Invoicing } from './invoicing.js';
import { invoiceOverdueMail, invoiceReminderMail } from './mails.js';
import { formatMoney } from './money.js';
import { gatewayConfigAccount, type AccountFor } from './payment-accounts.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

export interface DunningPolicy {
  /** Days after the due date to charge a saved method again. */
  retryDays: number[];
  /** Days relative to the due date (negative: before) to send a reminder. */
  reminderDays: number[];
  /** Days overdue after which the subscription is suspended; 0: never. */
  suspendAfterDays: number;
  /** Days overdue after which the subscription is terminated; 0: never. */
  terminateAfterDays: number;
}

export type StepKind = 'reminder' | 'retry' | 'suspend' | 'terminate';

/** Whole days from `from` to `to` (dates `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The steps due for an invoice `daysPastDue` days after its due date (negative: before it):
 * the latest reminder day and retry day reached, and suspension or termination once their day
 * has come. Pure: tested as a table. Steps are named `<kind>:<day>`.
 */
export function dueSteps(policy: DunningPolicy, daysPastDue: number): string[] {
  const latest = (days: number[]) => days.filter((d) => d <= daysPastDue).sort((a, b) => b - a)[0];
  const steps: string[] = [];
  const reminder = latest(policy.reminderDays);
  if (reminder !== undefined) steps.push(`reminder:${reminder}`);
  const retry = latest(policy.retryDays.filter((d) => d > 0));
  if (retry !== undefined) steps.push(`retry:${retry}`);
  if (policy.suspendAfterDays > 0 && daysPastDue >= policy.suspendAfterDays) steps.push(`suspend:${policy.suspendAfterDays}`);
  if (policy.terminateAfterDays > 0 && daysPastDue >= policy.terminateAfterDays)
    steps.push(`terminate:${policy.terminateAfterDays}`);
  return steps;
}

export interface DunningDeps {
  store: BillingStore;
  invoices: InvoiceService;
  invoicing: Invoicing;
  mailer: MailerService;
  gateways: () => PaymentGateway[];
  accounts: () => AccountsBillingService;
  /** The issuer's account at a gateway (a reseller's own keys). */
  accountFor?: AccountFor;
  policy: () => DunningPolicy;
  logger: Logger;
}

export class Dunning {
  constructor(private readonly deps: DunningDeps) {}

  /** Every open invoice's due steps on `today`; returns how many steps were done. */
  async run(today: string): Promise<number> {
    const { store, policy } = this.deps;
    const p = policy();
    const earliest = Math.min(0, ...p.reminderDays);
    const open = (await store
      .selectInvoices()
      .whereIn(`${store.db.schema}.invoices.status`, ['unpaid', 'overdue'])
      .andWhere(
        store.db.knex.raw(`coalesce(${store.db.schema}.invoices.dunning_from, ${store.db.schema}.invoices.due_date)`),
        '<=',
        addDaysText(today, -earliest),
      )
      .orderBy(`${store.db.schema}.invoices.due_date`)) as InvoiceRow[];
    let done = await this.liftSettled(today);
    for (const invoice of open) {
      // A payment reversed by a lost dispute: dunning starts over on that day, and the card the
      // customer disputed is not charged again by itself (docs/decisions/0078).
      const restarted = invoice.dunning_from !== null;
      for (const step of dueSteps(p, daysBetween(startOf(invoice), today))) {
        if (restarted && step.startsWith('retry:')) continue;
        try {
          if (await this.step(invoice, step)) done += 1;
        } catch (err) {
          // One invoice's failure (a gateway down) must not stop the others' dunning.
          this.deps.logger.warn({ err, invoiceId: invoice.id, step }, 'dunning step failed; retried on the next run');
        }
      }
    }
    return done;
  }

  /**
   * Claim and do one step; false when it is done or another run holds it. The claim is one
   * conditional update (a lease of ten minutes, so a crashed run's step is taken over later):
   * no transaction or connection is held while a gateway is called. A reminder's mail and its
   * `done_at` commit together; a failed step gives its claim back for the next run.
   */
  private async step(invoice: InvoiceRow, step: string): Promise<boolean> {
    const { store } = this.deps;
    const steps = (trx?: Knex.Transaction) => store.db.table('dunning_steps', trx).where({ invoice_id: invoice.id, step });
    await store.db.table('dunning_steps').insert({ invoice_id: invoice.id, step }).onConflict(['invoice_id', 'step']).ignore();
    const claimed = await steps()
      .whereNull('done_at')
      .andWhere((q) => q.whereNull('claimed_at').orWhere('claimed_at', '<', store.db.knex.raw(`now() - interval '10 minutes'`)))
      .update({ claimed_at: store.db.knex.fn.now() })
      .returning('step');
    if (claimed.length === 0) return false;
    try {
      const now = await store.invoices().where({ id: invoice.id }).first('status');
      const kind = step.split(':')[0] as StepKind;
      if (!['unpaid', 'overdue'].includes(now?.status as string)) {
        await steps().update({ done_at: store.db.knex.fn.now(), outcome: 'settled meanwhile' });
      } else if (kind === 'reminder') {
        await store.db.transaction(async (trx) => {
          await this.remind(invoice, step, trx);
          await steps(trx).update({ done_at: trx.fn.now(), outcome: 'sent' });
        });
      } else {
        const outcome = await this.act(invoice, kind, step);
        await steps().update({ done_at: store.db.knex.fn.now(), outcome });
      }
      return true;
    } catch (err) {
      await steps().update({ claimed_at: null });
      throw err;
    }
  }

  private async act(invoice: InvoiceRow, kind: Exclude<StepKind, 'reminder'>, step: string): Promise<string> {
    const { accounts } = this.deps;
    if (kind === 'retry') return this.retry(invoice, step);
    if (!invoice.subscription_id) return 'no subscription';
    if (kind === 'suspend')
      return (await accounts().suspendForBilling({ subscriptionId: invoice.subscription_id })) ? 'suspended' : 'not active';
    return (await accounts().terminateForBilling({ subscriptionId: invoice.subscription_id })) ? 'terminated' : 'refused';
  }

  private async remind(invoice: InvoiceRow, step: string, trx: Knex.Transaction): Promise<void> {
    const { mailer } = this.deps;
    const customer = invoice.customer_snapshot as { name?: string; email?: string };
    if (!customer.email) return;
    const day = Number(step.split(':')[1]);
    await mailer.sendTemplate(
      day <= 0 ? invoiceReminderMail : invoiceOverdueMail,
      {
        to: customer.email,
        issuer: invoice.issuer,
        variables: {
          customerName: customer.name ?? '',
          number: invoice.number ?? '',
          dueDate: startOf(invoice),
          day,
          left: formatMoney(n(invoice.total) - n(invoice.amount_paid), invoice.currency),
        },
      },
      { trx },
    );
  }

  /** Charge a saved method off-session at a gateway that knows the customer. */
  private async retry(invoice: InvoiceRow, step: string): Promise<string> {
    const { store, gateways, invoices } = this.deps;
    const known: Array<{ gateway: string; customer_ref: string }> = await store.db
      .table('gateway_customers')
      .where({ user_id: invoice.customer_id, issuer: invoice.issuer });
    const balance = n(invoice.total) - n(invoice.amount_paid);
    for (const { gateway: id, customer_ref } of known) {
      const gateway = gateways().find((g) => g.id === id && g.capabilities.offSession);
      if (!gateway) continue;
      const account = await (this.deps.accountFor ?? gatewayConfigAccount)(gateway.id, invoice.issuer);
      const [method] = await gateway.listPaymentMethods({ account, customerId: customer_ref });
      if (!method) continue;
      const result = await gateway.charge({
        account,
        customerId: customer_ref,
        paymentMethodId: method.id,
        money: { amount: balance, currency: invoice.currency },
        invoiceId: invoice.id,
        description: invoice.number ?? invoice.id,
        // The step and the balance: a crashed step charges once when done again.
        idempotencyKey: `dunning:${invoice.id}:${step}:${balance}`,
      });
      if (result.status !== 'succeeded')
        return `${gateway.id}: ${result.status}${result.failureCode ? ` (${result.failureCode})` : ''}`;
      const recorded = await store.db
        .table('payments')
        .where({ gateway: gateway.id, gateway_payment_id: result.paymentId })
        .first('id');
      if (!recorded)
        await invoices.recordPayment(
          null,
          invoice.id,
          { gateway: gateway.id, gatewayPaymentId: result.paymentId, amount: result.amount },
          { actorId: null },
        );
      return `${gateway.id}: paid`;
    }
    return 'no saved method';
  }

  /**
   * The daily safety net for {@link afterPaid} (a crash between a payment's commit and the
   * unsuspension): every subscription billing suspended whose invoices are settled is lifted.
   */
  async liftSettled(today: string): Promise<number> {
    const { store } = this.deps;
    const suspended = (await store.db.knex
      .from('plugin_accounts.subscriptions')
      .where({ status: 'suspended', suspend_reason: 'billing', suspended_with_user: false })
      .pluck('id')) as string[];
    let lifted = 0;
    for (const id of suspended) {
      const paid = await store.selectInvoices().where({ subscription_id: id, status: 'paid' }).first();
      if (paid && (await this.afterPaid(paid as InvoiceRow, today))) lifted += 1;
    }
    return lifted;
  }

  /**
   * After an invoice is paid in full: lift billing's suspension of its subscription unless
   * another of its invoices is still overdue past the suspension day.
   */
  async afterPaid(invoice: InvoiceRow, today: string): Promise<boolean> {
    if (!invoice.subscription_id || invoice.status !== 'paid') return false;
    const { store, accounts, policy } = this.deps;
    const p = policy();
    if (p.suspendAfterDays > 0) {
      const still = await store
        .invoices()
        .where({ subscription_id: invoice.subscription_id })
        .whereIn('status', ['unpaid', 'overdue'])
        .andWhere('due_date', '<=', addDaysText(today, -p.suspendAfterDays))
        .first('id');
      if (still) return false;
    }
    return accounts().unsuspendForBilling({ subscriptionId: invoice.subscription_id });
  }
}

/** The day dunning counts from: the due date, or the day a lost dispute made the invoice owed again. */
function startOf(invoice: InvoiceRow): string {
  return invoice.dunning_from ?? invoice.due_date!;
}

function addDaysText(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
