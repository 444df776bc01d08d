/**
 * The fonts of billing's PDFs, parsed once per thread. pdfkit parses a font path anew for every
 * document, and that parse (fontkit decoding DejaVu's tables, layout tables included) was most
 * of a render: 43 % of its CPU, plus the garbage it leaves, which two pool threads share badly
 * (bench/invoice-pdf.ts). pdfkit takes a parsed font as well; each document still embeds its own
 * subset, so sharing the parsed font changes nothing in the PDF.
 */
// The shim travels with this file: a program that reaches billing's sources through an import
// (the panel's type check) includes only the files it imports, not the shim beside them.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient shim cannot be imported
/// <reference path="./fontkit.d.ts" />
import { readFileSync } from 'node:fs';
import { create } from 'fontkit';

/** What `doc.registerFont` takes: a path, bytes, or (pdfkit ≥ 0.16) a parsed fontkit font. */
type FontSource = PDFKit.Mixins.PDFFontSource;

const parsed = new Map<string, FontSource>();

/** The parsed font at `path`, for `doc.registerFont` (read and parsed on the first call). */
export function pdfFont(path: string): FontSource {
  let font = parsed.get(path);
  if (!font) {
    font = create(readFileSync(path)) as FontSource;
    parsed.set(path, font);
  }
  return font;
}
