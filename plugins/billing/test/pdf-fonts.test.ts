import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { pdfFont } from '../src/tasks/pdf-fonts.js';
import renderInvoicePdf, { type InvoicePdfInput } from '../src/tasks/render-invoice-pdf.js';

const FONTS = {
  regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
};
const missing = [FONTS.regular, '/usr/bin/pdftotext'].find((f) => !existsSync(f));
if (missing && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1')
  throw new Error(`${missing} is missing (fonts-dejavu-core, poppler-utils)`);

const invoice = (number: string, customer: string): InvoicePdfInput => ({
  number,
  issueDate: '2026-12-05',
  dueDate: '2026-12-19',
  periodStart: null,
  periodEnd: null,
  currency: 'EUR',
  exponent: 2,
  issuer: { name: 'Ümlaut Hosting GmbH', address: 'Hauptstraße 1', taxId: null, logo: null },
  customer: { name: customer, email: 'c@example.test', address: '', vatId: null },
  lines: [{ description: 'Hosting', quantity: 1, unitAmount: 1000, amount: 1000, taxName: 'USt', taxRateBp: 1900 }],
  taxes: [{ name: 'USt', rateBp: 1900, net: 1000, tax: 190 }],
  subtotal: 1000,
  taxTotal: 190,
  total: 1190,
  pricesIncludeTax: false,
  reverseCharge: false,
  fonts: FONTS,
});

t.test(
  'a font is parsed once per thread, and every PDF still carries its own text',
  { skip: missing ? `${missing} is missing` : false },
  async (t) => {
    t.equal(pdfFont(FONTS.regular), pdfFont(FONTS.regular), 'the same parsed font twice');
    t.not(pdfFont(FONTS.regular), pdfFont(FONTS.bold), 'one per file');
    const dir = mkdtempSync(join(tmpdir(), 'hostplane-pdf-fonts-'));
    // Different glyphs in each: each document embeds the subset it uses, from the shared font.
    for (const [number, name] of [
      ['INV-1', 'Анна Шмидт'],
      ['INV-2', 'Ελένη Παπαδοπούλου'],
      ['INV-3', 'Jürgen Groß'],
    ] as const) {
      const file = join(dir, `${number}.pdf`);
      writeFileSync(file, await renderInvoicePdf(invoice(number, name)));
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
      t.match(text, name, `${number} prints ${name}`);
      t.match(text, `Invoice ${number}`);
    }
  },
);
