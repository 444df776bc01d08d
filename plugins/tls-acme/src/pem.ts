/**
 * Reading and checking PEM certificates and keys with node:crypto's X509Certificate: what an
 * upload must pass (key matches, chain in order, dates valid, names cover the site) and what
 * the API shows of a certificate (issuer, names, dates, serial).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { TlsErrors } from './errors.js';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (?:EC |RSA )?PRIVATE KEY-----/;

/** What the API and the store keep of a certificate. */
export interface CertificateInfo {
  /** The leaf's issuer common name (or its whole issuer when it has none). */
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS names of the subjectAltName (the subject CN when there is none). */
  names: string[];
}

/** The certificates of a PEM text, in order; `field` names it in the 400. */
export function parseCertificates(pem: string, field: string): X509Certificate[] {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw TlsErrors.invalid(field, `certificate ${i + 1} in ${field.split('/').pop()} is not a valid X.509 certificate`);
    }
  });
}

/** A private key from PEM (unencrypted PKCS#8, SEC1 or PKCS#1). */
export function parseKey(pem: string, field = '/body/key'): KeyObject {
  const block = pem.match(KEY_BLOCK)?.[0];
  if (!block) throw TlsErrors.invalid(field, 'the key must be one unencrypted PEM private key');
  try {
    return createPrivateKey(block);
  } catch {
    throw TlsErrors.invalid(field, 'the key is not a valid private key');
  }
}

/** Just the PEM key block (what is stored and handed to the web server). */
export function keyBlock(pem: string): string {
  const block = pem.match(KEY_BLOCK)?.[0];
  if (!block) throw TlsErrors.invalid('/body/key', 'the key must be one unencrypted PEM private key');
  return `${block.replace(/\r/g, '')}\n`;
}

export function infoOf(leaf: X509Certificate): CertificateInfo {
  const cn = (dn: string) =>
    dn
      .split('\n')
      .find((l) => l.startsWith('CN='))
      ?.slice(3);
  const sans = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  const subject = cn(leaf.subject);
  return {
    issuer: cn(leaf.issuer) ?? leaf.issuer.replace(/\n/g, ', '),
    serial: leaf.serialNumber,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    names: sans.length > 0 ? sans : subject ? [subject.toLowerCase()] : [],
  };
}

/** What an upload carries (the API's body). */
export interface Upload {
  certificate: string;
  key: string;
  chain?: string;
}

/** A checked upload: the chain to serve (leaf first), its key and what to show. */
export interface CheckedCertificate {
  pem: string;
  key: string;
  info: CertificateInfo;
}

/**
 * Check an upload against the site's names at `now`. Each failure is a 400 naming the field:
 * `/body/certificate` (not one certificate, dates, names), `/body/key` (unreadable, does not
 * belong to the certificate), `/body/chain` (out of order, dates).
 */
export function checkUpload(upload: Upload, domains: string[], now: Date): CheckedCertificate {
  const leaves = parseCertificates(upload.certificate, '/body/certificate');
  if (leaves.length !== 1) {
    throw TlsErrors.invalid(
      '/body/certificate',
      'certificate must hold exactly one PEM certificate (the intermediates go in chain)',
    );
  }
  const chain = parseCertificates(upload.chain ?? '', '/body/chain');
  if ((upload.chain ?? '').trim() !== '' && chain.length === 0) {
    throw TlsErrors.invalid('/body/chain', 'chain holds no PEM certificate');
  }
  const all = [leaves[0] as X509Certificate, ...chain];
  const key = parseKey(upload.key);
  const leaf = all[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key)) throw TlsErrors.invalid('/body/key', 'the key does not belong to the certificate');
  for (let i = 0; i + 1 < all.length; i++) {
    const child = all[i] as X509Certificate;
    const parent = all[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw TlsErrors.invalid(
        '/body/chain',
        i === 0
          ? 'the first certificate of the chain did not issue the certificate: put the intermediates in order, issuer after subject'
          : `chain certificate ${i + 1} did not issue chain certificate ${i}: put them in order, issuer after subject`,
      );
    }
  }
  all.forEach((cert, i) => {
    const field = i === 0 ? '/body/certificate' : '/body/chain';
    const what = i === 0 ? 'the certificate' : `chain certificate ${i}`;
    if (new Date(cert.validTo) <= now)
      throw TlsErrors.invalid(field, `${what} expired on ${new Date(cert.validTo).toISOString()}`);
    if (new Date(cert.validFrom) > now) {
      throw TlsErrors.invalid(field, `${what} is not valid before ${new Date(cert.validFrom).toISOString()}`);
    }
  });
  const uncovered = domains.filter((d) => leaf.checkHost(d) === undefined);
  if (uncovered.length > 0) {
    throw TlsErrors.invalid('/body/certificate', `the certificate does not cover ${uncovered.join(', ')}`);
  }
  return { pem: all.map((c) => c.toString().trim()).join('\n') + '\n', key: keyBlock(upload.key), info: infoOf(leaf) };
}
