/**
 * What billing's PDFs share: an A4 document with the two embedded fonts registered as `regular`
 * and `bold` (parsed once per thread, pdf-fonts.ts), the issuer's header, and the bytes once the
 * document ends. Plain functions: the tasks run on worker threads.
 */
import PDFDocument from 'pdfkit';
import { pdfFont } from './pdf-fonts.js';

/** The issuer as the PDFs print it. */
export interface PdfIssuer {
  name: string;
  address: string;
  taxId: string | null;
  logo: Uint8Array | null;
}

/** An open document and how to get its bytes. */
export interface OpenPdf {
  doc: PDFKit.PDFDocument;
  /** End the document and resolve with its bytes. */
  finish(): Promise<Uint8Array>;
}

export function openPdf(options: {
  title: string;
  author: string;
  /** `YYYY-MM-DD`: the document's creation date, so nothing but the font subsets' names varies. */
  createdOn: string;
  fonts: { regular: string; bold: string };
}): OpenPdf {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    // No standard font: pdfkit would otherwise parse Helvetica's metrics for every document (a
    // twentieth of a render) only for the fonts registered below to replace it.
    font: '',
    info: { Title: options.title, Author: options.author, CreationDate: new Date(`${options.createdOn}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('regular', pdfFont(options.fonts.regular));
  doc.registerFont('bold', pdfFont(options.fonts.bold));
  return {
    doc,
    async finish() {
      doc.end();
      await done;
      const bytes = Buffer.concat(chunks);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}

/** The issuer's logo (left) and name, address and tax id (right), at the top of the page. */
export function drawIssuer(doc: PDFKit.PDFDocument, issuer: PdfIssuer): void {
  if (issuer.logo) doc.image(Buffer.from(issuer.logo), 50, 45, { fit: [120, 60] });
  doc.font('bold').fontSize(12).text(issuer.name, 300, 50, { width: 245, align: 'right' });
  doc.font('regular').fontSize(9).text(issuer.address, { width: 245, align: 'right' });
  if (issuer.taxId) doc.text(`Tax id: ${issuer.taxId}`, { width: 245, align: 'right' });
}
