/**
 * Credit notes as documents (docs/decisions/0065), like invoices (documents.ts): the PDF is
 * rendered on the worker pool (tasks/render-credit-note-pdf.ts) once, stored in
 * `credit_note_documents`, and the same bytes are served on every download and attached to the
 * mail. Issuing a note queues `billing:deliver-credit-note` in the refund's own transaction (so
 * the mail exists exactly when the note does); that job renders the PDF and queues the mail
 * once, claiming `credit_note_mails` in the mail's transaction (credit notes never change, so
 * the claim lives beside them).
 */
import type { JobsService, MailerService, TasksService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import type { CreditNotePdfInput } from '../tasks/render-credit-note-pdf.js';
import { partiesOf } from './documents.js';
import { creditNoteIssuedMail } from './mails.js';
import { currencyExponent, formatMoney } from './money.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

export const DELIVER_CREDIT_NOTE_JOB = 'deliver-credit-note';
export const RENDER_CREDIT_NOTE_TASK = 'render-credit-note-pdf';

export interface CreditNoteRow {
  id: string;
  invoice_id: string;
  issuer: string;
  customer_id: string;
  number: string;
  issue_date: string;
  currency: string;
  subtotal: string | number;
  tax_total: string | number;
  total: string | number;
  reason: string | null;
  settlement: 'refund' | 'credit';
}

export interface CreditNoteDocumentDeps {
  store: BillingStore;
  mailer: MailerService;
  tasks: TasksService;
  fonts: () => { regular: string; bold: string };
  /** Why PDFs cannot be made now (a font missing), or null: the invoices' check. */
  unavailable: () => string | null;
}

/** Queue the note's PDF and mail in the transaction that issues it (refunds.ts calls this). */
export async function queueCreditNoteDelivery(jobs: JobsService, trx: Knex.Transaction, creditNoteId: string): Promise<void> {
  await jobs.enqueue(DELIVER_CREDIT_NOTE_JOB, { creditNoteId }, { trx, jobKey: `billing:deliver-credit-note:${creditNoteId}` });
}

export class CreditNoteDocuments {
  constructor(private readonly deps: CreditNoteDocumentDeps) {}

  /** The note `id` of `invoice` (already scoped to the caller), or 404. */
  async of(invoice: InvoiceRow, id: string): Promise<CreditNoteRow> {
    const row = await this.select().where({ id, invoice_id: invoice.id }).first();
    if (!row) throw BillingErrors.creditNoteNotFound(id);
    return row as CreditNoteRow;
  }

  /** The stored PDF of a note, rendered and stored first if it has none yet. */
  async pdfOf(invoice: InvoiceRow, note: CreditNoteRow): Promise<Buffer> {
    const { db } = this.deps.store;
    const stored = await db.table('credit_note_documents').where({ credit_note_id: note.id }).first('pdf');
    if (stored) return stored.pdf as Buffer;
    const reason = this.deps.unavailable();
    if (reason) throw BillingErrors.pdfUnavailable(reason);
    const pdf = await this.deps.tasks.run<CreditNotePdfInput, Uint8Array>(
      RENDER_CREDIT_NOTE_TASK,
      await this.input(invoice, note),
    );
    // Two renders at once: the first stored wins, and both answer with it.
    await db
      .table('credit_note_documents')
      .insert({ credit_note_id: note.id, pdf: Buffer.from(pdf) })
      .onConflict('credit_note_id')
      .ignore();
    const kept = await db.table('credit_note_documents').where({ credit_note_id: note.id }).first('pdf');
    return kept.pdf as Buffer;
  }

  /** The job: the credit-note mail with its PDF, queued once. */
  async deliver(creditNoteId: string): Promise<'sent' | 'already' | 'gone'> {
    const { store, mailer } = this.deps;
    if (await store.db.table('credit_note_mails').where({ credit_note_id: creditNoteId }).first('credit_note_id'))
      return 'already';
    const note = (await this.select().where({ id: creditNoteId }).first()) as CreditNoteRow | undefined;
    if (!note) return 'gone';
    const invoice = (await store.selectInvoices().where(`${store.db.schema}.invoices.id`, note.invoice_id).first()) as InvoiceRow;
    const pdf = await this.pdfOf(invoice, note);
    const customer = invoice.customer_snapshot as { name?: string; email?: string };
    return store.db.transaction(async (trx) => {
      const claimed = await store.db
        .table('credit_note_mails', trx)
        .insert({ credit_note_id: note.id })
        .onConflict('credit_note_id')
        .ignore()
        .returning('credit_note_id');
      if (claimed.length === 0) return 'already';
      await mailer.sendTemplate(
        creditNoteIssuedMail,
        {
          to: String(customer.email),
          issuer: note.issuer,
          variables: {
            customerName: customer.name ?? '',
            number: note.number,
            invoiceNumber: invoice.number ?? '',
            total: formatMoney(n(note.total), note.currency),
            settlement: note.settlement,
          },
          attachments: [{ filename: `${note.number}.pdf`, contentType: 'application/pdf', content: new Uint8Array(pdf) }],
        },
        { trx },
      );
      return 'sent';
    });
  }

  private select(): Knex.QueryBuilder {
    const { db } = this.deps.store;
    return db
      .table('credit_notes')
      .select(
        'id',
        'invoice_id',
        'issuer',
        'customer_id',
        'number',
        db.knex.raw('issue_date::text as issue_date'),
        db.knex.raw('currency::text as currency'),
        'subtotal',
        'tax_total',
        'total',
        'reason',
        'settlement',
      );
  }

  private async input(invoice: InvoiceRow, note: CreditNoteRow): Promise<CreditNotePdfInput> {
    const { db } = this.deps.store;
    // The parties as the invoice froze them: a note corrects that invoice, to that customer.
    const parties = await partiesOf(this.deps.store, invoice);
    const taxes: Array<{ name: string; rate_bp: number }> = await db
      .table('invoice_taxes')
      .where({ invoice_id: invoice.id })
      .orderBy('rate_bp', 'desc')
      .select('name', 'rate_bp');
    return {
      number: note.number,
      issueDate: note.issue_date,
      invoice: { number: invoice.number ?? '', issueDate: invoice.issue_date ?? '', total: n(invoice.total) },
      currency: note.currency.trim(),
      exponent: currencyExponent(note.currency.trim()),
      ...parties,
      reason: note.reason,
      settlement: note.settlement,
      taxes: taxes.map((t) => ({ name: t.name, rateBp: t.rate_bp })),
      subtotal: n(note.subtotal),
      taxTotal: n(note.tax_total),
      total: n(note.total),
      reverseCharge: invoice.reverse_charge,
      fonts: this.deps.fonts(),
    };
  }
}
