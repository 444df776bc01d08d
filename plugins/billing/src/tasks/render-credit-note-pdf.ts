/**
 * Worker-pool task: a credit note as a PDF (pdfkit), laid out like the invoice it corrects
 * (render-invoice-pdf.ts): the same embedded fonts, the issuer's logo and address, the customer,
 * then which invoice it corrects, why, and the credited net, tax and total. Plain data in, bytes
 * out; rendered once per note and stored (pdfkit names font subsets at random, so a second render
 * would differ byte for byte).
 */
import { drawIssuer, openPdf, type PdfIssuer } from './pdf-document.js';
import { pdfMoney, pdfPercent } from './pdf-format.js';

export interface CreditNotePdfInput {
  number: string;
  issueDate: string;
  /** The invoice the note corrects. */
  invoice: { number: string; issueDate: string; total: number };
  currency: string;
  /** Decimal places of the currency's minor unit. */
  exponent: number;
  issuer: PdfIssuer;
  customer: { name: string; email: string; address: string; vatId: string | null };
  reason: string | null;
  /** `refund`: money back the way it was paid; `credit`: to the customer's credit balance. */
  settlement: 'refund' | 'credit';
  /** The invoice's tax rates, for the breakdown's wording (the note's tax is its share of the invoice's). */
  taxes: Array<{ name: string; rateBp: number }>;
  subtotal: number;
  taxTotal: number;
  total: number;
  reverseCharge: boolean;
  fonts: { regular: string; bold: string };
}

export default async function renderCreditNotePdf(input: CreditNotePdfInput): Promise<Uint8Array> {
  const { doc, finish } = openPdf({
    title: `Credit note ${input.number}`,
    author: input.issuer.name,
    createdOn: input.issueDate,
    fonts: input.fonts,
  });
  const m = (amount: number) => pdfMoney(amount, input.currency, input.exponent);

  drawIssuer(doc, input.issuer);

  doc.font('bold').fontSize(18).text(`Credit note ${input.number}`, 50, 140);
  doc.font('regular').fontSize(10);
  doc.text(`Issued ${input.issueDate}`);
  doc.text(`Corrects invoice ${input.invoice.number} of ${input.invoice.issueDate} (${m(input.invoice.total)})`);
  doc.moveDown();
  doc.font('bold').text('Credited to');
  doc.font('regular').text(input.customer.name).text(input.customer.email);
  if (input.customer.address) doc.text(input.customer.address);
  if (input.customer.vatId) doc.text(`VAT id: ${input.customer.vatId}`);
  doc.moveDown();
  if (input.reason) {
    doc.font('bold').text('Reason');
    doc.font('regular').text(input.reason, { width: 495 });
    doc.moveDown();
  }

  const row = (label: string, amount: string, font = 'regular') => {
    const y = doc.y;
    doc.font(font).text(label, 50, y, { width: 360 });
    const after = doc.y;
    doc.text(amount, 430, y, { width: 115, align: 'right' });
    doc.y = Math.max(after, doc.y);
    doc.x = 50;
  };
  row('Description', 'Amount', 'bold');
  row(`Credit on invoice ${input.invoice.number} (net)`, m(input.subtotal));
  const rates = input.taxes.map((t) => `${t.name} ${pdfPercent(t.rateBp)}`).join(', ');
  row(rates ? `Tax (${rates})` : 'Tax', m(input.taxTotal));
  row('Total credited', m(input.total), 'bold');
  doc.moveDown();
  doc
    .font('regular')
    .text(
      input.settlement === 'credit'
        ? 'The total is added to your credit balance and pays your next invoices.'
        : 'The total is paid back the way the invoice was paid.',
      50,
    );
  if (input.reverseCharge) {
    doc.moveDown().fontSize(9).text('Reverse charge: VAT is due by the recipient (Art. 196 Council Directive 2006/112/EC).', 50);
  }
  return finish();
}
