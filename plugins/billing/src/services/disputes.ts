/**
 * Disputes of gateway payments (docs/decisions/0078): a customer's bank questions a card payment.
 *
 * - Each dispute is one row (gateway, issuer, dispute id) holding the newest state the gateway
 *   reported. Events come duplicated and out of order, so a state replaces the stored one only
 *   when it is further along (inquiry → chargeback → decided), or as far along and not older: a
 *   decided dispute never reopens, whatever arrives after. It may be decided again (a
 *   pre-arbitration, an appeal): a newer decision replaces the older one.
 * - The dispute is tied to its invoice through the recorded payment. When the payment event
 *   comes after the dispute's, {@link Disputes.afterPayment} ties it then.
 * - A **lost** dispute reverses the payment once: under the dispute's row lock, `reversed_at`
 *   says it is done. The invoice owes the amount again (`unpaid`, or `overdue` past its due date)
 *   and its dunning starts over from that day, without charging the disputed card again.
 * - A lost dispute **won after all** gives the money back once (`reinstated_at`): to the invoice
 *   as far as it still owes it (paid again: a billing suspension is lifted), the rest, if the
 *   customer had paid again meanwhile, to the customer's credit with the seller. A disputed
 *   charge cannot be refunded through the gateway, so credit is the only way back.
 * - The seller gets a mail when the dispute opens and one when it closes, each once (the mark and
 *   the queued mail commit together).
 */
import type { AuditService, Logger, MailerService, UsersService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { disputeClosedMail, disputeOpenedMail } from './mails.js';
import type { Credits } from './credits.js';
import type { InvoiceService } from './invoices.js';
import { formatMoney } from './money.js';
import { PLATFORM_ISSUER } from './payment-accounts.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

/** A dispute as a payment event carries it (stored in `payment_events.dispute`). */
export interface DisputeState {
  id: string;
  status: string;
  outcome: 'open' | 'won' | 'lost' | 'closed';
  reason?: string;
  evidenceDueBy?: string;
}

export interface DisputeKey {
  gateway: string;
  issuer: string;
  disputeId: string;
}

interface DisputeRow {
  gateway: string;
  issuer: string;
  dispute_id: string;
  payment_id: string;
  invoice_id: string | null;
  amount: string;
  currency: string;
  reason: string | null;
  status: string;
  outcome: DisputeState['outcome'];
  evidence_due_by: Date | null;
  opened_at: Date;
  closed_at: Date | null;
  reversed_amount: string;
  reversed_at: Date | null;
  reinstated_amount: string;
  reinstated_at: Date | null;
  opened_mailed_at: Date | null;
  closed_mailed_at: Date | null;
}

/** A dispute as the invoice detail shows it. */
export interface DisputeView {
  id: string;
  gateway: string;
  status: string;
  outcome: DisputeState['outcome'];
  reason: string | null;
  amount: number;
  currency: string;
  evidenceDueBy: string | null;
  openedAt: string;
  closedAt: string | null;
  /** What a lost dispute took back from the invoice's payments. */
  reversedAmount: number;
  reversedAt: string | null;
  /** What came back when a lost dispute was won after all (a pre-arbitration). */
  reinstatedAmount: number;
  reinstatedAt: string | null;
}

/** A reversal is in effect: made, and not undone by a later decision. */
const reversalInEffect = (d: Pick<DisputeRow, 'reversed_at' | 'reinstated_at'>): boolean =>
  d.reversed_at !== null && (d.reinstated_at === null || d.reinstated_at < d.reversed_at);

/** How far along a status is: it never goes back (Stripe's statuses; others count as open). */
export function stageOf(state: Pick<DisputeState, 'status' | 'outcome'>): number {
  if (state.outcome !== 'open') return 9;
  return { warning_needs_response: 0, warning_under_review: 1, needs_response: 2, under_review: 3 }[state.status] ?? 2;
}

const keyOf = (k: DisputeKey) => ({ gateway: k.gateway, issuer: k.issuer, dispute_id: k.disputeId });

export class Disputes {
  constructor(
    private readonly deps: {
      store: BillingStore;
      invoices: Pick<InvoiceService, 'announcePaid'>;
      credits: Credits;
      mailer: MailerService;
      users: UsersService;
      audit: AuditService;
      logger: Logger;
      today: () => string;
    },
  ) {}

  private get db() {
    return this.deps.store.db;
  }

  /** Keep what a dispute event says (if it is news), then do what follows from it. */
  async record(
    event: { gateway: string; issuer: string; paymentId: string; amount: number; currency: string; occurredAt: Date },
    state: DisputeState,
  ): Promise<string> {
    const stage = stageOf(state);
    const decided = state.outcome !== 'open';
    const t = `${this.db.schema}.disputes`;
    const row = {
      gateway: event.gateway,
      issuer: event.issuer,
      dispute_id: state.id,
      payment_id: event.paymentId,
      amount: event.amount,
      currency: event.currency,
      reason: state.reason ?? null,
      status: state.status,
      outcome: state.outcome,
      stage,
      evidence_due_by: state.evidenceDueBy ?? null,
      status_at: event.occurredAt,
      closed_at: decided ? this.db.knex.fn.now() : null,
    };
    const { knex } = this.db;
    const excluded = (column: string) => knex.raw(`excluded.${column}`);
    // A decision that differs from the stored one (decided at last, or decided again) closes it
    // now and owes the seller a new "closed" mail.
    const newDecision = `excluded.outcome <> 'open' and excluded.outcome <> ${t}.outcome`;
    const changed = (await this.db
      .table('disputes')
      .insert(row)
      .onConflict(['gateway', 'issuer', 'dispute_id'])
      .merge({
        amount: excluded('amount'),
        reason: excluded('reason'),
        status: excluded('status'),
        outcome: excluded('outcome'),
        stage: excluded('stage'),
        evidence_due_by: excluded('evidence_due_by'),
        status_at: excluded('status_at'),
        closed_at: knex.raw(`case when ${newDecision} then now() else ${t}.closed_at end`),
        closed_mailed_at: knex.raw(`case when ${newDecision} then null else ${t}.closed_mailed_at end`),
      })
      // Older or lesser news leaves the stored state alone (a decided dispute never reopens).
      .where(knex.raw(`excluded.stage > ${t}.stage or (excluded.stage = ${t}.stage and excluded.status_at >= ${t}.status_at)`))
      .returning('dispute_id')) as unknown[];
    const settled = await this.settle({ gateway: event.gateway, issuer: event.issuer, disputeId: state.id });
    return `dispute ${state.status}${changed.length ? '' : ' (older news: kept the newer state)'}: ${settled}`;
  }

  /** A payment was just recorded: settle the disputes that came before it. */
  async afterPayment(gateway: string, paymentId: string): Promise<void> {
    const rows = (await this.db
      .table('disputes')
      .where({ gateway, payment_id: paymentId })
      .select('gateway', 'issuer', 'dispute_id')) as Array<{ gateway: string; issuer: string; dispute_id: string }>;
    for (const r of rows) await this.settle({ gateway: r.gateway, issuer: r.issuer, disputeId: r.dispute_id });
  }

  /**
   * Tie the dispute to its invoice, reverse a lost one's payment, mail the seller: each step
   * once, so running this again (a duplicate event, a replay, a retried job) changes nothing.
   */
  async settle(key: DisputeKey): Promise<string> {
    const dispute = (await this.db.table('disputes').where(keyOf(key)).first()) as DisputeRow | undefined;
    if (!dispute) return 'no such dispute';
    const payment = (await this.db
      .table('payments')
      .where({ gateway: key.gateway, gateway_payment_id: dispute.payment_id })
      .first('id', 'invoice_id')) as { id: string; invoice_id: string } | undefined;
    if (!payment) return 'its payment is on no invoice of ours (yet): noted';
    const invoice = (await this.deps.store
      .selectInvoices()
      .where(`${this.db.schema}.invoices.id`, payment.invoice_id)
      .first()) as InvoiceRow | undefined;
    // The money was in this seller's account; only its own invoices answer for it.
    if (!invoice || invoice.issuer !== key.issuer) return 'the payment of another seller: left alone';
    if (!dispute.invoice_id)
      await this.db.table('disputes').where(keyOf(key)).whereNull('invoice_id').update({ invoice_id: invoice.id });

    const outcomes: string[] = [];
    if (dispute.outcome === 'lost') outcomes.push(await this.reverse(key, payment.id, invoice.id));
    else if (dispute.outcome !== 'open' && reversalInEffect(dispute))
      outcomes.push(await this.reinstate(key, payment.id, invoice.id));
    await this.mail(key, 'opened');
    if (dispute.outcome !== 'open') await this.mail(key, 'closed');
    return outcomes.join('; ') || `invoice ${invoice.number ?? invoice.id}`;
  }

  /** Take the disputed money off the invoice, once. */
  private async reverse(key: DisputeKey, paymentId: string, invoiceId: string): Promise<string> {
    const { store, audit } = this.deps;
    return this.db.transaction(async (trx) => {
      const dispute = (await this.db.table('disputes', trx).where(keyOf(key)).forUpdate().first()) as DisputeRow;
      if (reversalInEffect(dispute)) return `payment reversed already (${n(dispute.reversed_amount)})`;
      // Decided again meanwhile (a newer event won the race for the row).
      if (dispute.outcome !== 'lost') return `no longer lost (${dispute.outcome})`;
      const invoice = (await store
        .selectInvoices(trx)
        .where(`${this.db.schema}.invoices.id`, invoiceId)
        .forUpdate()
        .first()) as InvoiceRow;
      const payment = (await this.db.table('payments', trx).where({ id: paymentId }).forUpdate().first()) as {
        amount: string;
        refunded: string;
        reversed: string;
      };
      // Never more than is left of the payment (a refund already gave part of it back).
      const amount = Math.max(0, Math.min(n(dispute.amount), n(payment.amount) - n(payment.refunded) - n(payment.reversed)));
      const today = this.deps.today();
      if (amount > 0) {
        await this.db.table('payments', trx).where({ id: paymentId }).increment('reversed', amount);
        const paid = n(invoice.amount_paid) - amount;
        const owed = n(invoice.total) - paid > 0;
        await store
          .invoices(trx)
          .where({ id: invoiceId })
          .update({
            amount_paid: paid,
            ...(owed
              ? {
                  status: invoice.due_date !== null && invoice.due_date < today ? 'overdue' : 'unpaid',
                  paid_at: null,
                  dunning_from: invoice.due_date !== null && invoice.due_date > today ? invoice.due_date : today,
                }
              : {}),
            updated_at: trx.fn.now(),
          });
        // Dunning starts over: the steps done while it was paid are done again from the new start.
        if (owed) await this.db.table('dunning_steps', trx).where({ invoice_id: invoiceId }).delete();
      }
      await this.db.table('disputes', trx).where(keyOf(key)).update({ reversed_amount: amount, reversed_at: trx.fn.now() });
      await audit.record(
        {
          action: 'billing.invoice.payment-reversed',
          actorId: null,
          target: { type: 'invoice', id: invoiceId },
          details: { number: invoice.number, gateway: key.gateway, dispute: key.disputeId, amount, currency: invoice.currency },
        },
        { trx },
      );
      return amount > 0 ? `payment reversed: ${amount} owed again` : 'lost, but nothing of the payment was left to reverse';
    });
  }

  /**
   * Give a reversal back, once: the dispute was lost, and is now won (or closed) after all.
   * What the invoice still owes is paid again by it; the rest, paid again by the customer
   * meanwhile, becomes the customer's credit with the seller.
   */
  private async reinstate(key: DisputeKey, paymentId: string, invoiceId: string): Promise<string> {
    const { store, audit } = this.deps;
    const done = await this.db.transaction(async (trx) => {
      const dispute = (await this.db.table('disputes', trx).where(keyOf(key)).forUpdate().first()) as DisputeRow;
      if (!reversalInEffect(dispute)) return { text: 'reversal given back already', paid: null };
      if (dispute.outcome === 'lost' || dispute.outcome === 'open') return { text: `still ${dispute.outcome}`, paid: null };
      const invoice = (await store
        .selectInvoices(trx)
        .where(`${this.db.schema}.invoices.id`, invoiceId)
        .forUpdate()
        .first()) as InvoiceRow;
      const back = n(dispute.reversed_amount);
      const owed =
        invoice.status === 'unpaid' || invoice.status === 'overdue' ? Math.max(0, n(invoice.total) - n(invoice.amount_paid)) : 0;
      const toInvoice = Math.min(back, owed);
      const toCredit = back - toInvoice;
      let paid = false;
      if (toInvoice > 0) {
        // Only what pays the invoice again stops counting as taken back from the payment.
        await this.db.table('payments', trx).where({ id: paymentId }).decrement('reversed', toInvoice);
        paid = toInvoice === owed;
        await store
          .invoices(trx)
          .where({ id: invoiceId })
          .update({
            amount_paid: n(invoice.amount_paid) + toInvoice,
            ...(paid ? { status: 'paid', paid_at: trx.fn.now() } : {}),
            updated_at: trx.fn.now(),
          });
      }
      if (toCredit > 0)
        await this.deps.credits.move(trx, {
          customerId: invoice.customer_id,
          issuer: invoice.issuer,
          currency: invoice.currency,
          amount: toCredit,
          kind: 'overpayment',
          invoiceId,
          note: `dispute ${key.disputeId} won after the invoice was paid again`,
        });
      await this.db.table('disputes', trx).where(keyOf(key)).update({ reinstated_amount: back, reinstated_at: trx.fn.now() });
      await audit.record(
        {
          action: 'billing.invoice.payment-reinstated',
          actorId: null,
          target: { type: 'invoice', id: invoiceId },
          details: {
            number: invoice.number,
            gateway: key.gateway,
            dispute: key.disputeId,
            amount: back,
            toInvoice,
            toCredit,
            currency: invoice.currency,
          },
        },
        { trx },
      );
      const text = `payment given back: ${toInvoice} to the invoice${toCredit ? `, ${toCredit} to the customer's credit` : ''}`;
      return { text, paid: paid ? invoiceId : null };
    });
    // Paid again: what a payment sets off (a billing suspension lifted) follows, as after any payment.
    if (done.paid) {
      const row = (await store.selectInvoices().where(`${this.db.schema}.invoices.id`, done.paid).first()) as InvoiceRow;
      await this.deps.invoices.announcePaid(row);
    }
    return done.text;
  }

  /** The seller's mail for the dispute's opening or closing, once. */
  private async mail(key: DisputeKey, which: 'opened' | 'closed'): Promise<void> {
    const column = which === 'opened' ? 'opened_mailed_at' : 'closed_mailed_at';
    const to = await this.sellerAddress(key.issuer);
    if (!to) {
      this.deps.logger.warn({ ...key }, 'dispute mail not sent: the seller has no address (set a reply-to address on Invoicing)');
      return;
    }
    await this.db.transaction(async (trx) => {
      const claimed = (await this.db
        .table('disputes', trx)
        .where(keyOf(key))
        .whereNull(column)
        .update({ [column]: trx.fn.now() })
        .returning('*')) as unknown as DisputeRow[];
      const dispute = claimed[0];
      if (!dispute) return;
      const invoice = (await this.deps.store
        .selectInvoices(trx)
        .where(`${this.db.schema}.invoices.id`, dispute.invoice_id)
        .first()) as InvoiceRow;
      await this.send(trx, which, to, dispute, invoice);
    });
  }

  private async send(
    trx: Knex.Transaction,
    which: 'opened' | 'closed',
    to: string,
    d: DisputeRow,
    invoice: InvoiceRow,
  ): Promise<void> {
    const customer = invoice.customer_snapshot as { name?: string; email?: string };
    const facts = {
      invoiceNumber: invoice.number ?? invoice.id.slice(0, 40),
      customerName: (customer.name || customer.email || '').slice(0, 200),
      amount: formatMoney(n(d.amount), d.currency),
      reason: (d.reason ?? 'not given').slice(0, 100),
      gateway: d.gateway.slice(0, 40),
    };
    if (which === 'opened') {
      const answerBy = d.evidence_due_by ? d.evidence_due_by.toISOString().slice(0, 10) : '';
      await this.deps.mailer.sendTemplate(
        disputeOpenedMail,
        { to, issuer: d.issuer, variables: { ...facts, answerBy } },
        { trx },
      );
    } else {
      const outcome = d.outcome === 'open' ? 'closed' : d.outcome;
      const due = formatMoney(Math.max(0, n(invoice.total) - n(invoice.amount_paid)), invoice.currency);
      await this.deps.mailer.sendTemplate(
        disputeClosedMail,
        { to, issuer: d.issuer, variables: { ...facts, outcome, due } },
        { trx },
      );
    }
  }

  /** The seller's address: its reply-to address on Invoicing, else (a reseller) its account's. */
  private async sellerAddress(issuer: string): Promise<string | null> {
    const row = (await this.db.table('issuers').where({ issuer }).first('reply_to')) as { reply_to: string | null } | undefined;
    if (row?.reply_to) return row.reply_to;
    if (issuer === PLATFORM_ISSUER) return null;
    return (await this.deps.users.get(issuer))?.email ?? null;
  }
}

/** The disputes of an invoice, oldest first. */
export async function disputesOf(store: BillingStore, invoiceId: string): Promise<DisputeView[]> {
  const rows = (await store.db
    .table('disputes')
    .where({ invoice_id: invoiceId })
    .orderBy('opened_at')) as unknown as DisputeRow[];
  return rows.map((d) => ({
    id: d.dispute_id,
    gateway: d.gateway,
    status: d.status,
    outcome: d.outcome,
    reason: d.reason,
    amount: n(d.amount),
    currency: d.currency,
    evidenceDueBy: d.evidence_due_by ? d.evidence_due_by.toISOString() : null,
    openedAt: d.opened_at.toISOString(),
    closedAt: d.closed_at ? d.closed_at.toISOString() : null,
    reversedAmount: n(d.reversed_amount),
    reversedAt: d.reversed_at ? d.reversed_at.toISOString() : null,
    reinstatedAmount: n(d.reinstated_amount),
    reinstatedAt: d.reinstated_at ? d.reinstated_at.toISOString() : null,
  }));
}
