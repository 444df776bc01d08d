/**
 * Worker-pool task: an invoice as a PDF (pdfkit). Plain data in, bytes out. The fonts are
 * embedded (subsets of a TrueType font that covers Latin, Greek, Cyrillic and more, DejaVu Sans
 * by default), so names outside Latin-1 print; the issuer's logo (PNG or JPEG) is drawn when
 * given. The PDF is rendered once per invoice and stored: pdfkit names font subsets at random,
 * so a second render would differ byte for byte.
 */
import { drawIssuer, openPdf, type PdfIssuer } from './pdf-document.js';
import { pdfMoney as money, pdfPercent as percent } from './pdf-format.js';

export interface InvoicePdfInput {
  number: string;
  issueDate: string;
  dueDate: string;
  periodStart: string | null;
  periodEnd: string | null;
  currency: string;
  /** Decimal places of the currency's minor unit. */
  exponent: number;
  issuer: PdfIssuer;
  customer: { name: string; email: string; address: string; vatId: string | null };
  lines: Array<{ description: string; quantity: number; unitAmount: number; amount: number; taxName: string; taxRateBp: number }>;
  taxes: Array<{ name: string; rateBp: number; net: number; tax: number }>;
  subtotal: number;
  taxTotal: number;
  total: number;
  pricesIncludeTax: boolean;
  reverseCharge: boolean;
  fonts: { regular: string; bold: string };
}

export default async function renderInvoicePdf(input: InvoicePdfInput): Promise<Uint8Array> {
  const { doc, finish } = openPdf({
    title: `Invoice ${input.number}`,
    author: input.issuer.name,
    createdOn: input.issueDate,
    fonts: input.fonts,
  });
  const m = (amount: number) => money(amount, input.currency, input.exponent);

  drawIssuer(doc, input.issuer);

  doc.font('bold').fontSize(18).text(`Invoice ${input.number}`, 50, 140);
  doc.font('regular').fontSize(10);
  doc.text(`Issued ${input.issueDate}, due ${input.dueDate}`);
  if (input.periodStart && input.periodEnd) doc.text(`Period ${input.periodStart} to ${input.periodEnd}`);
  doc.moveDown();
  doc.font('bold').text('Bill to');
  doc.font('regular').text(input.customer.name).text(input.customer.email);
  if (input.customer.address) doc.text(input.customer.address);
  if (input.customer.vatId) doc.text(`VAT id: ${input.customer.vatId}`);
  doc.moveDown();

  const columns = { description: 50, tax: 330, amount: 430 };
  const row = (description: string, tax: string, amount: string, font = 'regular') => {
    const y = doc.y;
    doc.font(font).text(description, columns.description, y, { width: 270 });
    const after = doc.y;
    doc.text(tax, columns.tax, y, { width: 90 });
    doc.text(amount, columns.amount, y, { width: 115, align: 'right' });
    doc.y = Math.max(after, doc.y);
    doc.x = 50;
  };
  row('Description', 'Tax', input.pricesIncludeTax ? 'Amount (incl. tax)' : 'Amount', 'bold');
  for (const line of input.lines) {
    const quantity = line.quantity > 1 ? `${line.quantity} × ${m(line.unitAmount)} ` : '';
    row(`${quantity}${line.description}`, `${line.taxName} ${percent(line.taxRateBp)}`, m(line.amount));
  }
  doc.moveDown();
  row('Subtotal (net)', '', m(input.subtotal));
  for (const tax of input.taxes) row(`${tax.name} ${percent(tax.rateBp)} on ${m(tax.net)}`, '', m(tax.tax));
  row('Total', '', m(input.total), 'bold');
  if (input.reverseCharge) {
    doc
      .moveDown()
      .font('regular')
      .fontSize(9)
      .text('Reverse charge: VAT is due by the recipient (Art. 196 Council Directive 2006/112/EC).', 50);
  }
  return finish();
}
