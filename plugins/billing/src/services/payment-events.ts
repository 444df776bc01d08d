/**
 * Applying a stored payment event (the `billing:process-payment-event` job). The promise:
 * **every invoice is paid once**, whatever order, copies or delays the events come in.
 *
 * - A gateway payment is claimed by the first event about it (Checkout's
 *   `checkout.session.completed` and the PaymentIntent's `payment_intent.succeeded` are two events
 *   about one payment): the other event finds the claim and changes nothing.
 * - The payment is recorded on the invoice under the invoice's row lock (`recordPayment`), and the
 *   `payments` table holds each gateway payment id once.
 * - Money for an invoice that is already paid (by a manual transfer, another card payment, a
 *   second Checkout tab) or void, and the part above the balance, is an overpayment: refunded
 *   automatically through the gateway with a key made from the overpayment's id
 *   (docs/decisions/0037).
 * - Only the invoice's own seller's account can pay it: an event verified with one reseller's
 *   secret never touches another seller's invoice, whatever its metadata claims.
 */
import { extensionPoints, type AuditService, type ExtensionsService, type Logger, type PaymentGateway } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import type { Disputes, DisputeState } from './disputes.js';
import type { InvoiceService } from './invoices.js';
import type { PaymentAccounts } from './payment-accounts.js';
import { n, type BillingStore } from './store.js';
import type { PaymentEventKey } from './webhooks.js';

interface EventRow {
  gateway: string;
  issuer: string;
  event_id: string;
  type: string;
  gateway_type: string;
  payment_id: string | null;
  invoice_ref: string | null;
  amount: string | null;
  currency: string | null;
  occurred_at: Date;
  processed_at: Date | null;
  outcome: string | null;
  dispute: DisputeState | null;
}

interface OverpaymentRow {
  id: string;
  gateway: string;
  payment_id: string;
  issuer: string;
  invoice_id: string | null;
  amount: string;
  currency: string;
  status: 'pending' | 'refunded';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RACES = [BillingErrors.invoicePaid, BillingErrors.invoiceVoid, BillingErrors.amountExceedsBalance];

export class PaymentEvents {
  constructor(
    private readonly deps: {
      store: BillingStore;
      invoices: InvoiceService;
      disputes: Disputes;
      accounts: PaymentAccounts;
      extensions: ExtensionsService;
      audit: AuditService;
      logger: Logger;
    },
  ) {}

  private get db() {
    return this.deps.store.db;
  }

  /** Apply one stored event once; answers what happened (also stored as its `outcome`). */
  async process(key: PaymentEventKey): Promise<string> {
    const where = { gateway: key.gateway, issuer: key.issuer, event_id: key.eventId };
    const row = (await this.db.table('payment_events').where(where).first()) as EventRow | undefined;
    if (!row) return 'no such event';
    if (row.processed_at) return row.outcome ?? 'processed';
    const outcome = await this.apply(row);
    await this.db.table('payment_events').where(where).update({ processed_at: this.db.knex.fn.now(), outcome });
    return outcome;
  }

  private async apply(row: EventRow): Promise<string> {
    switch (row.type) {
      case 'payment.succeeded':
      case 'checkout.completed':
        if (!row.payment_id || !row.amount || !row.currency) return 'no payment in this event';
        return this.applyPayment(row as EventRow & { payment_id: string; amount: string; currency: string });
      case 'payment.failed':
        return 'payment failed: nothing changes';
      case 'refund.succeeded':
        return 'refund at the gateway noted';
      case 'dispute.opened':
      case 'dispute.updated':
      case 'dispute.closed':
        await this.deps.audit.record({
          action: `billing.payment.dispute-${row.type.slice('dispute.'.length)}`,
          actorId: null,
          target: { type: 'payment', id: row.payment_id ?? row.event_id },
          details: {
            gateway: row.gateway,
            issuer: row.issuer,
            dispute: row.dispute?.id ?? null,
            status: row.dispute?.status ?? null,
            amount: row.amount === null ? null : n(row.amount),
          },
        });
        if (!row.dispute || !row.payment_id || row.amount === null || !row.currency) return 'no dispute in this event';
        return this.deps.disputes.record(
          {
            gateway: row.gateway,
            issuer: row.issuer,
            paymentId: row.payment_id,
            amount: n(row.amount),
            currency: row.currency,
            occurredAt: row.occurred_at,
          },
          row.dispute,
        );
      default:
        return 'ignored';
    }
  }

  private async applyPayment(row: EventRow & { payment_id: string; amount: string; currency: string }): Promise<string> {
    const amount = n(row.amount);
    const claim = { gateway: row.gateway, payment_id: row.payment_id };
    await this.db
      .table('payment_claims')
      .insert({ ...claim, event_id: row.event_id })
      .onConflict(['gateway', 'payment_id'])
      .ignore();
    const owner = (await this.db.table('payment_claims').where(claim).first('event_id')) as { event_id: string };
    if (owner.event_id !== row.event_id) return `the same payment as event ${owner.event_id}: applied once`;

    // Resume what an earlier run of this event (or billing's own pay call) already did.
    const [totals] = (await this.db
      .table('payments')
      .where({ gateway: row.gateway, gateway_payment_id: row.payment_id })
      .sum({ sum: 'amount' })) as Array<{ sum: string | null }>;
    const recorded = totals?.sum ? n(totals.sum) : 0;
    let over = (await this.db.table('overpayments').where(claim).first()) as OverpaymentRow | undefined;
    if (recorded > 0 || over) {
      if (over?.status === 'pending') await this.refund(over);
      const accounted = recorded + (over ? n(over.amount) : 0);
      if (accounted < amount) {
        over = await this.overpay(row, row.invoice_ref, amount - accounted, 'exceeds_balance');
        return `recorded ${recorded}; ${amount - accounted} above the balance refunded`;
      }
      return recorded > 0 ? 'already recorded' : 'already refunded';
    }

    const invoiceId = row.invoice_ref && UUID.test(row.invoice_ref) ? row.invoice_ref : null;
    if (!invoiceId) return 'no invoice of ours in this payment: left alone';
    for (let attempt = 0; attempt < 5; attempt++) {
      const invoice = (await this.deps.store
        .invoices()
        .where({ id: invoiceId })
        .first('id', 'issuer', 'currency', 'status', 'total', 'amount_paid')) as
        { id: string; issuer: string; currency: string; status: string; total: string; amount_paid: string } | undefined;
      if (!invoice) return 'unknown invoice: left alone';
      // The money is in this seller's account; it pays only this seller's invoices.
      if (invoice.issuer !== row.issuer) return 'invoice of another seller: left alone';
      if (invoice.currency !== row.currency) return `paid in ${row.currency}, invoiced in ${invoice.currency}: left alone`;
      if (invoice.status === 'draft') return 'draft invoice: left alone';
      if (invoice.status === 'void') {
        await this.overpay(row, invoiceId, amount, 'invoice_void');
        return 'invoice is void: payment refunded';
      }
      const balance = n(invoice.total) - n(invoice.amount_paid);
      if (balance <= 0) {
        await this.overpay(row, invoiceId, amount, 'invoice_paid');
        return 'invoice was already paid: payment refunded';
      }
      const part = Math.min(balance, amount);
      try {
        await this.deps.invoices.recordPayment(
          null,
          invoiceId,
          { gateway: row.gateway, gatewayPaymentId: row.payment_id, amount: part },
          { actorId: null },
        );
      } catch (err) {
        if (RACES.some((e) => e.is(err))) continue; // another payment got there first: look again
        if ((err as { code?: string }).code === '23505') return 'already recorded';
        throw err;
      }
      // A dispute about this payment may have come first: it is settled now.
      await this.deps.disputes.afterPayment(row.gateway, row.payment_id);
      if (part < amount) {
        await this.overpay(row, invoiceId, amount - part, 'exceeds_balance');
        return `recorded ${part}; ${amount - part} above the balance refunded`;
      }
      return 'payment recorded';
    }
    throw new Error(`invoice ${invoiceId} kept changing while a payment was applied; retried later`);
  }

  private async overpay(
    row: EventRow & { payment_id: string; currency: string },
    invoiceId: string | null,
    amount: number,
    reason: 'invoice_paid' | 'invoice_void' | 'exceeds_balance',
  ): Promise<OverpaymentRow> {
    const inserted = (await this.db
      .table('overpayments')
      .insert({
        gateway: row.gateway,
        payment_id: row.payment_id,
        issuer: row.issuer,
        invoice_id: invoiceId && UUID.test(invoiceId) ? invoiceId : null,
        amount,
        currency: row.currency,
        reason,
      })
      .onConflict(['gateway', 'payment_id'])
      .ignore()
      .returning('id')) as unknown[];
    const over = (await this.db
      .table('overpayments')
      .where({ gateway: row.gateway, payment_id: row.payment_id })
      .first()) as OverpaymentRow;
    if (inserted.length) {
      await this.deps.audit.record({
        action: 'billing.payment.overpaid',
        actorId: null,
        target: { type: 'invoice', id: over.invoice_id ?? row.payment_id },
        details: { gateway: row.gateway, paymentId: row.payment_id, amount, currency: row.currency, reason },
      });
    }
    if (over.status === 'pending') await this.refund(over);
    return over;
  }

  /** Give an overpayment back through its gateway; a failure stays visible and the job retries. */
  private async refund(over: OverpaymentRow): Promise<void> {
    const gateway = this.deps.extensions
      .list(extensionPoints.paymentGateway)
      .find((g: PaymentGateway) => g.id === over.gateway && g.capabilities.refunds);
    if (!gateway) {
      await this.db.table('overpayments').where({ id: over.id }).update({
        last_error: 'the gateway is not enabled or cannot refund: refund it by hand',
        updated_at: this.db.knex.fn.now(),
      });
      throw new Error(`overpayment ${over.id}: gateway ${over.gateway} cannot refund now`);
    }
    const account = await this.deps.accounts.get(gateway.id, over.issuer);
    try {
      const result = await gateway.refund({
        account,
        paymentId: over.payment_id,
        money: { amount: n(over.amount), currency: over.currency },
        idempotencyKey: `billing:overpayment:${over.id}`,
      });
      await this.db
        .table('overpayments')
        .where({ id: over.id })
        .update({ status: 'refunded', refund_id: result.refundId, last_error: null, updated_at: this.db.knex.fn.now() });
      over.status = 'refunded';
      this.deps.logger.info({ overpayment: over.id, refund: result.refundId }, 'overpayment refunded');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.db
        .table('overpayments')
        .where({ id: over.id })
        .update({ last_error: message.slice(0, 500), updated_at: this.db.knex.fn.now() });
      throw err;
    }
  }
}
