/** Names a stored certificate covers, read from its PEM (never trusted from the row). */
import { X509Certificate } from 'node:crypto';
import { infoOf } from '../pem.js';
import type { CertificateRow } from '../store.js';

export function namesOf(row: CertificateRow): string[] {
  return row.certificate_pem ? leafNames(row.certificate_pem) : [];
}

function leafNames(pem: string): string[] {
  try {
    return infoOf(new X509Certificate(pem)).names;
  } catch {
    return [];
  }
}
