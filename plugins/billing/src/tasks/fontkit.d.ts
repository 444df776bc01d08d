/** fontkit (pdfkit's font parser) ships no types; billing uses only `create`. */
declare module 'fontkit' {
  /** Parse a TrueType/OpenType font file. */
  export function create(buffer: Uint8Array, postscriptName?: string): unknown;
}
