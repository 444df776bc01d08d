/** Reading, paying and voiding invoices, always inside the caller's subtree. */
import { type Actor, type AuditService, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import type { BillingStore } from './store.js';
import { n, type InvoiceRow, type LineRow } from './store.js';
import { creditNotesOf, type CreditNoteView } from './credit-notes.js';
import { disputesOf, type DisputeView } from './disputes.js';

export interface InvoiceView {
  id: string;
  number: string | null;
  status: InvoiceRow['status'];
  issuer: string;
  issuerName: string;
  customerId: string;
  subscriptionId: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  currency: string;
  pricesIncludeTax: boolean;
  reverseCharge: boolean;
  subtotal: number;
  taxTotal: number;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  amountDue: number;
  issueDate: string | null;
  dueDate: string | null;
  paidAt: string | null;
  voidedAt: string | null;
  voidReason: string | null;
  createdAt: string;
}

export interface InvoiceDetail extends InvoiceView {
  lines: Array<{
    id: string;
    invoiceId: string;
    kind: string;
    description: string;
    quantity: number;
    unitAmount: number;
    amount: number;
    taxName: string;
    taxRateBp: number;
  }>;
  taxes: Array<{ name: string; rateBp: number; net: number; tax: number }>;
  payments: Array<{ id: string; gateway: string; reference: string | null; amount: number; reversed: number; createdAt: string }>;
  creditNotes: CreditNoteView[];
  disputes: DisputeView[];
}

export function invoiceView(row: InvoiceRow): InvoiceView {
  const total = n(row.total);
  const paid = n(row.amount_paid);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    issuer: row.issuer,
    issuerName: String(row.issuer_snapshot?.name ?? ''),
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    currency: row.currency,
    pricesIncludeTax: row.prices_include_tax,
    reverseCharge: row.reverse_charge,
    subtotal: n(row.subtotal),
    taxTotal: n(row.tax_total),
    total,
    amountPaid: paid,
    amountRefunded: n(row.amount_refunded),
    amountDue: row.status === 'void' ? 0 : Math.max(0, total - paid),
    issueDate: row.issue_date,
    dueDate: row.due_date,
    paidAt: row.paid_at ? row.paid_at.toISOString() : null,
    voidedAt: row.voided_at ? row.voided_at.toISOString() : null,
    voidReason: row.void_reason,
    createdAt: row.created_at.toISOString(),
  };
}

export interface ListFilter {
  status?: InvoiceRow['status'];
  customerId?: string;
  overdue?: boolean;
  from?: string;
  to?: string;
  page: number;
  limit: number;
}

export class InvoiceService {
  constructor(
    private readonly store: BillingStore,
    private readonly tenancy: TenancyService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Called after a payment settled an invoice in full, outside its transaction (dunning lifts
   * its suspension there). A listener handles its own errors: the payment stands regardless.
   */
  readonly paidListeners: Array<(row: InvoiceRow) => Promise<void>> = [];

  /** Tell the listeners that `row` was just paid in full (a payment, a dispute won after all). */
  async announcePaid(row: InvoiceRow): Promise<void> {
    for (const listener of this.paidListeners) await listener(row);
  }

  private get t(): string {
    return `${this.store.db.schema}.invoices`;
  }

  /** Invoices of customers in the actor's subtree (tenancy in the query). */
  scoped(actor: Pick<Actor, 'userId' | 'role'>, trx?: Knex.Transaction): Knex.QueryBuilder {
    const q = this.tenancy.scope(this.store.selectInvoices(trx), actor, `${this.t}.customer_id`);
    // A draft is its issuer's work in progress: the customer sees it once issued.
    if (actor.role !== 'super_admin')
      q.andWhere((w) => w.whereNot(`${this.t}.status`, 'draft').orWhere(`${this.t}.issuer`, actor.userId));
    return q;
  }

  async list(actor: Actor, filter: ListFilter, today: string): Promise<{ items: InvoiceView[]; total: number }> {
    const q = this.scoped(actor);
    if (filter.status) q.where(`${this.t}.status`, filter.status);
    if (filter.customerId) q.where(`${this.t}.customer_id`, filter.customerId);
    if (filter.overdue) q.whereIn(`${this.t}.status`, ['unpaid', 'overdue']).andWhere(`${this.t}.due_date`, '<', today);
    if (filter.from) q.where(`${this.t}.issue_date`, '>=', filter.from);
    if (filter.to) q.where(`${this.t}.issue_date`, '<=', filter.to);
    const [count] = (await q.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
    const rows = (await q
      .orderBy([{ column: `${this.t}.created_at`, order: 'desc' }, { column: `${this.t}.id` }])
      .limit(filter.limit)
      .offset((filter.page - 1) * filter.limit)) as InvoiceRow[];
    return { items: rows.map(invoiceView), total: Number(count?.count ?? 0) };
  }

  /** One invoice in the actor's subtree, or 404 (never 403: a foreign id reads as unknown). */
  async get(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction, lock = false): Promise<InvoiceRow> {
    const q = this.scoped(actor, trx).where(`${this.t}.id`, id);
    if (lock) q.forUpdate();
    const row = (await q.first()) as InvoiceRow | undefined;
    if (!row) throw BillingErrors.notFound(id);
    return row;
  }

  async detail(row: InvoiceRow): Promise<InvoiceDetail> {
    const lines = (await this.store.db.table('invoice_lines').where({ invoice_id: row.id }).orderBy('position')) as LineRow[];
    const taxes: Array<Record<string, unknown>> = await this.store.db
      .table('invoice_taxes')
      .where({ invoice_id: row.id })
      .orderBy('rate_bp', 'desc');
    const payments: Array<Record<string, unknown>> = await this.store.db
      .table('payments')
      .where({ invoice_id: row.id })
      .orderBy('created_at');
    return {
      ...invoiceView(row),
      lines: lines.map((l) => ({
        id: l.id,
        invoiceId: row.id,
        kind: l.kind,
        description: l.description,
        quantity: l.quantity,
        unitAmount: n(l.unit_amount),
        amount: n(l.amount),
        taxName: l.tax_name,
        taxRateBp: l.tax_rate_bp,
      })),
      taxes: taxes.map((x) => ({
        name: x.name as string,
        rateBp: x.rate_bp as number,
        net: n(x.net as string),
        tax: n(x.tax as string),
      })),
      creditNotes: await creditNotesOf(this.store, row.id),
      disputes: await disputesOf(this.store, row.id),
      payments: payments.map((p) => ({
        id: p.id as string,
        gateway: p.gateway as string,
        reference: (p.reference as string | null) ?? null,
        amount: n(p.amount as string),
        reversed: n(p.reversed as string),
        createdAt: (p.created_at as Date).toISOString(),
      })),
    };
  }

  /** Only the issuer or an administrator acts on an invoice as its seller. */
  private assertIssuer(actor: Pick<Actor, 'userId' | 'role'> | null, row: InvoiceRow): void {
    if (actor === null || actor.role === 'super_admin') return;
    if (row.issuer !== actor.userId) throw BillingErrors.notIssuer();
  }

  /**
   * Record a payment (a bank transfer's reference, or a gateway's payment id) on a locked
   * invoice. Paying more than is due is refused; a gateway payment recorded twice (a webhook
   * repeated) is recorded once.
   */
  async recordPayment(
    actor: Pick<Actor, 'userId' | 'role'> | null,
    id: string,
    payment: { gateway: string; gatewayPaymentId?: string; reference?: string; amount?: number },
    source: { actorId: string | null; ip?: string | null; requestId?: string | null },
  ): Promise<InvoiceRow> {
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (payment.reference !== undefined && !/^[^\u0000-\u001f\u007f]{1,200}$/.test(payment.reference))
      throw BillingErrors.referenceInvalid();
    const settled = await this.store.db.transaction(async (trx) => {
      const scopeActor = actor ?? { userId: '', role: 'super_admin' as const };
      const row = await this.get(scopeActor, id, trx, true);
      this.assertIssuer(actor, row);
      if (row.status === 'void') throw BillingErrors.invoiceVoid(row.number ?? row.id);
      if (row.status === 'draft') throw BillingErrors.notIssued();
      const balance = n(row.total) - n(row.amount_paid);
      if (balance <= 0) throw BillingErrors.invoicePaid(row.number ?? row.id);
      const amount = payment.amount ?? balance;
      if (!Number.isSafeInteger(amount) || amount <= 0) throw BillingErrors.amountExceedsBalance(balance);
      if (amount > balance) throw BillingErrors.amountExceedsBalance(balance);
      await this.store.db.table('payments', trx).insert({
        invoice_id: row.id,
        gateway: payment.gateway,
        gateway_payment_id: payment.gatewayPaymentId ?? null,
        reference: payment.reference ?? null,
        amount,
        currency: row.currency,
        recorded_by: source.actorId,
      });
      const paidInFull = amount === balance;
      const [updated] = (await this.store
        .invoices(trx)
        .where({ id: row.id })
        .update({
          amount_paid: n(row.amount_paid) + amount,
          ...(paidInFull ? { status: 'paid', paid_at: trx.fn.now() } : {}),
          updated_at: trx.fn.now(),
        })
        .returning('id')) as Array<{ id: string }>;
      await this.audit.record(
        {
          action: 'billing.invoice.payment-recorded',
          actorId: source.actorId,
          target: { type: 'invoice', id: row.id },
          details: { number: row.number, gateway: payment.gateway, amount, reference: payment.reference ?? null, paidInFull },
          ip: source.ip ?? null,
          requestId: source.requestId ?? null,
        },
        { trx },
      );
      return this.get(scopeActor, updated!.id, trx);
    });
    if (settled.status === 'paid') await this.announcePaid(settled);
    return settled;
  }

  /** Void an issued, unpaid invoice (its number stays used: no gap). */
  async void(
    actor: Pick<Actor, 'userId' | 'role'> | null,
    id: string,
    reason: string | undefined,
    source: { actorId: string | null; ip?: string | null; requestId?: string | null },
  ): Promise<InvoiceRow> {
    return this.store.db.transaction(async (trx) => {
      const scopeActor = actor ?? { userId: '', role: 'super_admin' as const };
      const row = await this.get(scopeActor, id, trx, true);
      this.assertIssuer(actor, row);
      if (row.status === 'void') throw BillingErrors.invoiceVoid(row.number ?? row.id);
      // A draft has no number to keep: it is discarded (DELETE), not voided.
      if (row.status === 'draft') throw BillingErrors.notIssued();
      if (n(row.amount_paid) > 0) throw BillingErrors.invoicePaid(row.number ?? row.id);
      await this.store
        .invoices(trx)
        .where({ id: row.id })
        .update({ status: 'void', voided_at: trx.fn.now(), void_reason: reason ?? null, updated_at: trx.fn.now() });
      await this.audit.record(
        {
          action: 'billing.invoice.voided',
          actorId: source.actorId,
          target: { type: 'invoice', id: row.id },
          details: { number: row.number, reason: reason ?? null },
          ip: source.ip ?? null,
          requestId: source.requestId ?? null,
        },
        { trx },
      );
      return this.get(scopeActor, row.id, trx);
    });
  }

  /** Unpaid invoices past their due date become overdue. */
  async markOverdue(today: string): Promise<number> {
    return this.store
      .invoices()
      .where({ status: 'unpaid' })
      .andWhere('due_date', '<', today)
      .update({ status: 'overdue', updated_at: this.store.db.knex.fn.now() });
  }
}
