/**
 * Worker-pool task: a credit note as a PDF (pdfkit), laid out like the invoice it corrects
 * (render-invoice-pdf.ts): the same embedded fonts, the issuer's logo and address, the customer,
 * then which invoice it corrects, why, and the credited net, tax and total. Plain data in, bytes
 * out; rendered once per note and stored (pdfkit names font subsets at random, so a second render
 * would differ byte for byte).
 */
import PDFDocument from 'pdfkit';
import { pdfFont } from './pdf-fonts.js';
import { pdfMoney, pdfPercent } from './pdf-format.js';

export interface CreditNotePdfInput {
  number: string;
  issueDate: string;
  /** The invoice the note corrects. */
  invoice: { number: string; issueDate: string; total: number };
  currency: string;
  /** Decimal places of the currency's minor unit. */
  exponent: number;
  issuer: { name: string; address: string; taxId: string | null; logo: Uint8Array | null };
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
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Credit note ${input.number}`,
      Author: input.issuer.name,
      CreationDate: new Date(`${input.issueDate}T00:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  // Parsed once per thread (pdf-fonts.ts); pdfkit takes a fontkit font where it takes a path.
  doc.registerFont('regular', pdfFont(input.fonts.regular));
  doc.registerFont('bold', pdfFont(input.fonts.bold));
  const m = (amount: number) => pdfMoney(amount, input.currency, input.exponent);

  if (input.issuer.logo) doc.image(Buffer.from(input.issuer.logo), 50, 45, { fit: [120, 60] });
  doc.font('bold').fontSize(12).text(input.issuer.name, 300, 50, { width: 245, align: 'right' });
  doc.font('regular').fontSize(9).text(input.issuer.address, { width: 245, align: 'right' });
  if (input.issuer.taxId) doc.text(`Tax id: ${input.issuer.taxId}`, { width: 245, align: 'right' });

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
  doc.end();
  await done;
  const bytes = Buffer.concat(chunks);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
