/**
 * Draft invoices a seller (the issuer, or an administrator) writes by hand before issuing them:
 * lines are added and removed while it is a draft; issuing takes the number, the tax of that
 * day and the customer's profile, exactly as a one-off invoice issued at once
 * (`Invoicing.issueManual`). A draft is invisible to its customer, has no number (so discarding
 * one leaves no gap) and is never voided: it is discarded. Once issued it never changes
 * (database triggers): corrections are credit notes.
 */
import type { Actor, AuditService, JobsService, TenancyService, UsersService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import type { Credits } from './credits.js';
import type { InvoiceService } from './invoices.js';
import { DELIVER_JOB, type Invoicing } from './invoicing.js';
import { issueDraft } from './issue-invoice.js';
import { resolveTax } from './tax.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

export interface DraftLine {
  description: string;
  quantity: number;
  unitAmount: number;
}

type Source = { actorId: string | null; ip?: string | null; requestId?: string | null };

/** At most this many lines, as a one-off invoice created at once. */
const MAX_LINES = 100;

export class Drafts {
  constructor(
    private readonly d: {
      store: BillingStore;
      invoices: InvoiceService;
      invoicing: Invoicing;
      tenancy: TenancyService;
      users: UsersService;
      audit: AuditService;
      jobs: JobsService;
      credits: Credits;
    },
  ) {}

  private get db() {
    return this.d.store.db;
  }

  /** The caller's view of the draft (404 outside its tree, or a draft it did not write). */
  view(actor: Actor, id: string): Promise<InvoiceRow> {
    return this.d.invoices.get(actor, id);
  }

  /** A new empty draft for a customer the caller sells to (or, for an administrator, anyone's). */
  async create(actor: Actor, input: { customerId: string; currency: string }, source: Source): Promise<string> {
    // A customer outside the caller's tree reads as an invalid id, like any unknown one.
    if (!(await this.d.tenancy.canAccessUser(actor, input.customerId))) throw BillingErrors.customerInvalid('no such customer');
    const customer = await this.d.users.get(input.customerId);
    if (!customer) throw BillingErrors.customerInvalid('no such customer');
    const issuer = await this.d.invoicing.issuerOf(customer.id);
    if (actor.role !== 'super_admin' && issuer !== actor.userId) throw BillingErrors.notIssuer();
    return this.db.transaction(async (trx) => {
      const settings = await this.d.invoicing.issuerSettings(issuer, trx);
      const [row] = (await this.d.store
        .invoices(trx)
        .insert({
          issuer,
          customer_id: customer.id,
          currency: input.currency,
          prices_include_tax: settings.pricesIncludeTax,
        })
        .returning('id')) as Array<{ id: string }>;
      await this.audit(trx, 'billing.invoice.draft-created', row!.id, { customerId: customer.id }, source);
      return row!.id;
    });
  }

  /** The draft, locked, if the caller is its issuer or an administrator. */
  private async draft(actor: Actor, id: string, trx: Knex.Transaction): Promise<InvoiceRow> {
    const row = await this.d.invoices.get(actor, id, trx, true);
    if (actor.role !== 'super_admin' && row.issuer !== actor.userId) throw BillingErrors.notIssuer();
    if (row.status !== 'draft') throw BillingErrors.notDraft(row.number ?? row.id);
    return row;
  }

  async addLine(actor: Actor, id: string, line: DraftLine, source: Source): Promise<InvoiceRow> {
    return this.db.transaction(async (trx) => {
      const row = await this.draft(actor, id, trx);
      const [stats] = (await this.db
        .table('invoice_lines', trx)
        .where({ invoice_id: id })
        .select(this.db.knex.raw('count(*)::int as count, coalesce(max(position), -1)::int as last'))) as Array<{
        count: number;
        last: number;
      }>;
      if ((stats?.count ?? 0) >= MAX_LINES) throw BillingErrors.draftFull();
      await this.db.table('invoice_lines', trx).insert({
        invoice_id: id,
        position: (stats?.last ?? -1) + 1,
        kind: 'manual',
        description: line.description,
        quantity: line.quantity,
        unit_amount: line.unitAmount,
        amount: line.unitAmount * line.quantity,
        // The tax is chosen when the draft is issued (rates and profile of that day).
        tax_name: '',
        tax_rate_bp: 0,
      });
      await this.audit(trx, 'billing.invoice.draft-changed', id, { added: line.description }, source);
      return this.d.invoices.get(actor, row.id, trx);
    });
  }

  async removeLine(actor: Actor, id: string, lineId: string, source: Source): Promise<InvoiceRow> {
    return this.db.transaction(async (trx) => {
      const row = await this.draft(actor, id, trx);
      const removed = await this.db.table('invoice_lines', trx).where({ invoice_id: id, id: lineId }).delete();
      if (removed === 0) throw BillingErrors.lineNotFound(lineId);
      await this.audit(trx, 'billing.invoice.draft-changed', id, { removed: lineId }, source);
      return this.d.invoices.get(actor, row.id, trx);
    });
  }

  /** Issue the draft on `date`: number, tax and parties are taken now, then it never changes. */
  async issue(actor: Actor, id: string, date: string, source: Source): Promise<InvoiceRow> {
    const { store, invoicing, users } = this.d;
    return this.db.transaction(async (trx) => {
      const row = await this.draft(actor, id, trx);
      const lines = (await this.db.table('invoice_lines', trx).where({ invoice_id: id }).orderBy('position')) as Array<{
        description: string;
        quantity: number;
        unit_amount: string;
      }>;
      if (lines.length === 0) throw BillingErrors.draftEmpty();
      const customer = await users.get(row.customer_id);
      if (!customer) throw BillingErrors.customerInvalid('the customer no longer exists');
      const { settings, profile, rates } = await invoicing.issuing(row.issuer, customer.id, trx);
      const tax = resolveTax(settings.country, profile, rates);
      // The draft's lines are written again with the tax of the day, as issuing a new invoice does.
      await this.db.table('invoice_lines', trx).where({ invoice_id: id }).delete();
      await store
        .invoices(trx)
        .where({ id, status: 'draft' })
        .update({ prices_include_tax: settings.pricesIncludeTax, reverse_charge: tax.reverseCharge });
      const number = await issueDraft(trx, store, id, {
        settings,
        date,
        tax,
        lines: lines.map((l) => ({ kind: 'manual', description: l.description, quantity: l.quantity, amount: n(l.unit_amount) })),
        customer: { id: customer.id, name: customer.name, email: customer.email, ...profile },
      });
      await this.d.credits.applyToInvoice(trx, id);
      await this.d.jobs.enqueue(DELIVER_JOB, { invoiceId: id }, { trx, jobKey: `billing:deliver:${id}` });
      await this.audit(trx, 'billing.invoice.issued', id, { number }, source);
      return this.d.invoices.get(actor, id, trx);
    });
  }

  /** Throw the draft away: it had no number, so no gap is left. */
  async discard(actor: Actor, id: string, source: Source): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.draft(actor, id, trx);
      await this.db.table('invoice_lines', trx).where({ invoice_id: id }).delete();
      await this.d.store.invoices(trx).where({ id, status: 'draft' }).delete();
      await this.audit(trx, 'billing.invoice.draft-discarded', id, {}, source);
    });
  }

  private audit(trx: Knex.Transaction, action: string, id: string, details: Record<string, unknown>, source: Source) {
    return this.d.audit.record(
      {
        action,
        actorId: source.actorId,
        target: { type: 'invoice', id },
        details,
        ip: source.ip ?? null,
        requestId: source.requestId ?? null,
      },
      { trx },
    );
  }
}
