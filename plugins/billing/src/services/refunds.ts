/**
 * Refunds and their credit notes (docs/decisions/0034). An issued invoice never changes: giving
 * money back makes a credit note (gapless `CN-<year>-<n>` per issuer and year, taken in the same
 * transaction as everything else, so a failure leaves no hole) and one refund row per payment it
 * draws on. Each refund goes back the way the money came: through the gateway that took the
 * payment when it can refund, to the credit balance for what the balance paid, and otherwise it
 * is recorded for the issuer to pay back by hand. With `to: 'credit'` all of it becomes credit.
 *
 * The invoice row is locked for the whole refund, so parallel refunds see each other and their
 * sum never exceeds what was paid. Gateway calls carry a key derived from the payment and how
 * much of it was refunded before, so a request retried after a crash refunds once.
 */
import type { Actor, AuditService, PaymentGateway } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import type { Credits } from './credits.js';
import type { InvoiceService } from './invoices.js';
import { creditSplit } from './money.js';
import { gatewayConfigAccount, type AccountFor } from './payment-accounts.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

export interface RefundInput {
  /** Minor units; default: everything paid and not yet refunded. */
  amount?: number;
  reason?: string;
  /** `original`: back the way it was paid (default); `credit`: to the customer's credit balance. */
  to?: 'original' | 'credit';
}

interface PaymentRow {
  id: string;
  gateway: string;
  gateway_payment_id: string | null;
  amount: string | number;
  refunded: string | number;
  reversed?: string | number;
}

export interface RefundOutcome {
  invoice: InvoiceRow;
  creditNote: { id: string; number: string; total: number };
  refunds: Array<{ gateway: string; amount: number; status: string }>;
}

/**
 * Split `amount` over the payments, newest first, each up to what is left of it (pure: tested
 * as a table). Returns [payment, part] pairs.
 */
export function allocateRefund<P extends { amount: number; refunded: number }>(
  payments: readonly P[],
  amount: number,
): Array<[P, number]> {
  const parts: Array<[P, number]> = [];
  let left = amount;
  for (const p of payments) {
    if (left <= 0) break;
    const part = Math.min(p.amount - p.refunded, left);
    if (part > 0) {
      parts.push([p, part]);
      left -= part;
    }
  }
  if (left > 0) throw new RangeError('the payments do not cover the refund');
  return parts;
}

/** The status after a refund: all paid money back → refunded. */
export function statusAfterRefund(paid: number, refunded: number): 'refunded' | 'partially_refunded' {
  return refunded >= paid ? 'refunded' : 'partially_refunded';
}

export class Refunds {
  /**
   * Called in the refund's transaction for each credit note it issues (index.ts queues the
   * note's PDF and mail here): rolled back with the refund, so never for a note that is not.
   */
  readonly issuedHooks: Array<(trx: Knex.Transaction, creditNote: { id: string; number: string }) => Promise<void>> = [];

  constructor(
    private readonly store: BillingStore,
    private readonly invoices: InvoiceService,
    private readonly credits: Credits,
    private readonly gateways: () => PaymentGateway[],
    private readonly audit: AuditService,
    /** Today (`YYYY-MM-DD`) by the platform's clock: the credit note's year. */
    private readonly today: () => string,
    /** The issuer's account at the gateway that took the payment (a reseller's own keys). */
    private readonly accountFor: AccountFor = gatewayConfigAccount,
  ) {}

  async refund(
    actor: Pick<Actor, 'userId' | 'role'> | null,
    id: string,
    input: RefundInput,
    source: { actorId: string | null; ip?: string | null; requestId?: string | null },
  ): Promise<RefundOutcome> {
    return this.store.db.transaction(async (trx) => {
      const scopeActor = actor ?? { userId: '', role: 'super_admin' as const };
      const row = await this.invoices.get(scopeActor, id, trx, true);
      if (actor && actor.role !== 'super_admin' && row.issuer !== actor.userId) throw BillingErrors.notIssuer();
      if (row.status === 'draft') throw BillingErrors.notIssued();
      const paid = n(row.amount_paid);
      const refundable = paid - n(row.amount_refunded);
      // Only a settled invoice is refunded; an open one is voided or corrected first.
      if (!['paid', 'partially_refunded'].includes(row.status) || refundable <= 0)
        throw BillingErrors.nothingToRefund(row.number ?? row.id);
      const amount = input.amount ?? refundable;
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > refundable) throw BillingErrors.refundExceedsPaid(refundable);
      const to = input.to ?? 'original';
      const creditNote = await this.creditNote(trx, row, amount, to, input.reason ?? null, source.actorId);
      const payments = (
        (await this.store.db
          .table('payments', trx)
          .where({ invoice_id: row.id })
          .orderBy([
            { column: 'created_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .forUpdate()) as PaymentRow[]
      ).map((p) => ({
        ...p,
        amount: n(p.amount),
        // What a lost dispute took back is gone already: counted as given back.
        refunded: n(p.refunded) + n(p.reversed ?? 0),
      }));
      const refunds: RefundOutcome['refunds'] = [];
      for (const [payment, part] of allocateRefund(payments, amount)) {
        const done = await this.refundPayment(trx, row, payment, part, to, creditNote.id);
        await this.store.db.table('payments', trx).where({ id: payment.id }).increment('refunded', part);
        await this.store.db.table('refunds', trx).insert({
          credit_note_id: creditNote.id,
          invoice_id: row.id,
          payment_id: payment.id,
          gateway: payment.gateway,
          gateway_refund_id: done.refundId,
          amount: part,
          currency: row.currency,
          status: done.status,
        });
        refunds.push({ gateway: payment.gateway, amount: part, status: done.status });
      }
      for (const hook of this.issuedHooks) await hook(trx, creditNote);
      const refunded = n(row.amount_refunded) + amount;
      await this.store
        .invoices(trx)
        .where({ id: row.id })
        .update({ amount_refunded: refunded, status: statusAfterRefund(paid, refunded), updated_at: trx.fn.now() });
      await this.audit.record(
        {
          action: 'billing.invoice.refunded',
          actorId: source.actorId,
          target: { type: 'invoice', id: row.id },
          details: { number: row.number, creditNote: creditNote.number, amount, to, refunds },
          ip: source.ip ?? null,
          requestId: source.requestId ?? null,
        },
        { trx },
      );
      return { invoice: await this.invoices.get(scopeActor, row.id, trx), creditNote, refunds };
    });
  }

  /** Give one payment's part back; what the gateway says, or how it was settled here. */
  private async refundPayment(
    trx: Knex.Transaction,
    invoice: InvoiceRow,
    payment: PaymentRow & { amount: number; refunded: number },
    part: number,
    to: 'original' | 'credit',
    creditNoteId: string,
  ): Promise<{ refundId: string | null; status: 'succeeded' | 'pending' | 'recorded' | 'credited' }> {
    if (to === 'credit' || payment.gateway === 'credit') {
      await this.credits.move(trx, {
        customerId: invoice.customer_id,
        issuer: invoice.issuer,
        currency: invoice.currency,
        amount: part,
        kind: 'refund',
        invoiceId: invoice.id,
        creditNoteId,
        note: invoice.number,
      });
      return { refundId: null, status: 'credited' };
    }
    const gateway = this.gateways().find((g) => g.id === payment.gateway);
    if (!gateway?.capabilities.refunds || !payment.gateway_payment_id) return { refundId: null, status: 'recorded' };
    const result = await gateway.refund({
      account: await this.accountFor(gateway.id, invoice.issuer),
      paymentId: payment.gateway_payment_id,
      money: { amount: part, currency: invoice.currency },
      // Same payment, same refunded-so-far, same part: a retry after a crash refunds once.
      idempotencyKey: `refund:${payment.id}:${payment.refunded}:${part}`,
    });
    if (result.status === 'failed') throw BillingErrors.refundFailed(gateway.id);
    return { refundId: result.refundId, status: result.status };
  }

  /** The credit note of `amount`, numbered in its issuer's year (gapless: taken in this transaction). */
  private async creditNote(
    trx: Knex.Transaction,
    invoice: InvoiceRow,
    amount: number,
    settlement: 'original' | 'credit',
    reason: string | null,
    createdBy: string | null,
  ): Promise<{ id: string; number: string; total: number }> {
    const split = creditSplit(amount, n(invoice.amount_refunded), n(invoice.total), n(invoice.tax_total));
    const year = Number(this.today().slice(0, 4));
    const { rows } = await trx.raw<{ rows: Array<{ last_number: number }> }>(
      `insert into ${this.store.db.schema}.credit_note_sequences (issuer, year, last_number) values (?, ?, 1)
       on conflict (issuer, year) do update set last_number = credit_note_sequences.last_number + 1
       returning last_number`,
      [invoice.issuer, year],
    );
    const sequence = rows[0]!.last_number;
    const number = `CN-${year}-${String(sequence).padStart(5, '0')}`;
    const [created] = (await this.store.db
      .table('credit_notes', trx)
      .insert({
        invoice_id: invoice.id,
        issuer: invoice.issuer,
        customer_id: invoice.customer_id,
        number,
        year,
        sequence,
        issue_date: this.today(),
        currency: invoice.currency,
        subtotal: split.subtotal,
        tax_total: split.taxTotal,
        total: amount,
        reason,
        settlement: settlement === 'credit' ? 'credit' : 'refund',
        created_by: createdBy,
      })
      .returning('id')) as Array<{ id: string }>;
    return { id: created!.id, number, total: amount };
  }
}
