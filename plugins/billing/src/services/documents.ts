/**
 * The invoice PDF: rendered on the worker pool (tasks/render-invoice-pdf.ts) once, stored in
 * `invoice_documents`, and the same bytes served on every download and attached to the mail.
 * The mail is queued once per invoice (`mailed_at` set in the same transaction).
 */
import { existsSync } from 'node:fs';
import type { MailerService, TasksService, UsersService } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import type { InvoicePdfInput } from '../tasks/render-invoice-pdf.js';
import { type InvoiceService } from './invoices.js';
import { type Invoicing } from './invoicing.js';
import { customerProfile } from './issuing.js';
import { invoiceIssuedMail } from './mails.js';
import { currencyExponent, formatMoney } from './money.js';
import { addDays } from './periods.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

export { DELIVER_JOB } from './invoicing.js';
export const RENDER_TASK = 'render-invoice-pdf';

export interface DocumentDeps {
  store: BillingStore;
  invoices: InvoiceService;
  invoicing: Invoicing;
  users: UsersService;
  mailer: MailerService;
  tasks: TasksService;
  fonts: () => { regular: string; bold: string };
}

export class Documents {
  constructor(private readonly deps: DocumentDeps) {}

  /** Why PDFs cannot be made here (a font file missing), or null. */
  unavailable(): string | null {
    const fonts = this.deps.fonts();
    for (const file of [fonts.regular, fonts.bold])
      if (!existsSync(file)) return `font ${file} not found (install fonts-dejavu-core or set the billing config's fonts)`;
    return null;
  }

  /** The stored PDF of an issued invoice, rendered and stored first if it has none yet. */
  async pdfOf(row: InvoiceRow): Promise<Buffer> {
    if (row.status === 'draft' || !row.number) throw BillingErrors.notIssued();
    const stored = await this.deps.store.db.table('invoice_documents').where({ invoice_id: row.id }).first('pdf');
    if (stored) return stored.pdf as Buffer;
    const reason = this.unavailable();
    if (reason) throw BillingErrors.pdfUnavailable(reason);
    const pdf = await this.deps.tasks.run<InvoicePdfInput, Uint8Array>(RENDER_TASK, await this.input(row));
    // Two renders at once: the first stored wins, and both answer with it.
    await this.deps.store.db
      .table('invoice_documents')
      .insert({ invoice_id: row.id, pdf: Buffer.from(pdf) })
      .onConflict('invoice_id')
      .ignore();
    const kept = await this.deps.store.db.table('invoice_documents').where({ invoice_id: row.id }).first('pdf');
    return kept.pdf as Buffer;
  }

  /** The job: the invoice mail with its PDF, queued once. */
  async deliver(invoiceId: string): Promise<'sent' | 'already'> {
    const { store, invoices, mailer } = this.deps;
    const row = await invoices.get({ userId: '', role: 'super_admin' }, invoiceId);
    if (row.mailed_at) return 'already';
    const pdf = await this.pdfOf(row);
    const customer = row.customer_snapshot as { name?: string; email?: string };
    return store.db.transaction(async (trx) => {
      const claimed = await store
        .invoices(trx)
        .where({ id: row.id })
        .whereNull('mailed_at')
        .update({ mailed_at: trx.fn.now() })
        .returning('id');
      if (claimed.length === 0) return 'already';
      // The issuer's name, reply-to address and logo come through the mail-branding source (mail-branding.ts).
      await mailer.sendTemplate(
        invoiceIssuedMail,
        {
          to: String(customer.email),
          issuer: row.issuer,
          variables: {
            customerName: customer.name ?? '',
            number: row.number!,
            total: formatMoney(n(row.total), row.currency),
            dueDate: String(row.due_date),
          },
          attachments: [{ filename: `${row.number}.pdf`, contentType: 'application/pdf', content: new Uint8Array(pdf) }],
        },
        { trx },
      );
      return 'sent';
    });
  }

  private async input(row: InvoiceRow): Promise<InvoicePdfInput> {
    const detail = await this.deps.invoices.detail(row);
    const parties = await partiesOf(this.deps.store, row);
    return {
      number: row.number!,
      issueDate: row.issue_date!,
      dueDate: row.due_date!,
      periodStart: row.period_start,
      periodEnd: row.period_end ? addDays(row.period_end, -1) : null,
      currency: row.currency,
      exponent: currencyExponent(row.currency),
      ...parties,
      lines: detail.lines,
      taxes: detail.taxes,
      subtotal: detail.subtotal,
      taxTotal: detail.taxTotal,
      total: detail.total,
      pricesIncludeTax: row.prices_include_tax,
      reverseCharge: row.reverse_charge,
      fonts: this.deps.fonts(),
    };
  }
}

/**
 * The parties a document of `invoice` prints: issuer and customer as the invoice froze them,
 * the issuer's current logo. Invoice PDFs and the credit notes correcting them share it.
 */
export async function partiesOf(store: BillingStore, invoice: InvoiceRow) {
  const issuer = invoice.issuer_snapshot as { name?: string; address?: string; taxId?: string | null };
  const customer = invoice.customer_snapshot as { name?: string; email?: string; address?: string; vatId?: string | null };
  const logo = await store.db.table('issuers').where({ issuer: invoice.issuer }).first('logo');
  const profile = await customerProfile(store, invoice.customer_id);
  return {
    issuer: {
      name: issuer.name ?? '',
      address: issuer.address ?? '',
      taxId: issuer.taxId ?? null,
      logo: logo?.logo ? new Uint8Array(logo.logo as Buffer) : null,
    },
    customer: {
      name: customer.name ?? '',
      email: customer.email ?? '',
      address: customer.address ?? profile.address,
      vatId: customer.vatId ?? null,
    },
  };
}
