/**
 * `hostplane.sig.json`: who signed (key id and public key), what (the package's name, version
 * and `hostplane` manifest, and every file with its SHA-256), and an ed25519 signature over the
 * canonical JSON of all of that. Verifying recomputes the file list from disk: a file added,
 * removed or changed after signing makes the signature invalid and is named.
 */
import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical.js';
import { SigningErrors } from './errors.js';
import { publicKeyObject, rawPublicKey, signerKeyId, parsePublicKey } from './keys.js';
import { createPublicKey } from 'node:crypto';
import { packageFiles, SIGNATURE_FILE, type SignedFile } from './package-files.js';

export const SIGNATURE_FORMAT = 'hostplane-signature/1';
const MAX_SIGNATURE_BYTES = 8 * 1024 * 1024;

/** What is signed. */
export interface SignedContent {
  format: typeof SIGNATURE_FORMAT;
  keyId: string;
  publicKey: string;
  /** The signer's own name for itself (not trusted: the admin names trusted keys). */
  signer: string;
  signedAt: string;
  manifest: { name: string | null; version: string | null; hostplane: unknown };
  files: SignedFile[];
}

/** The signature file. */
export interface SignatureDocument extends SignedContent {
  /** base64 ed25519 signature over `canonicalJson(SignedContent)`. */
  signature: string;
}

/** What verifying a package found, before any trust decision. */
export type Verification =
  | { state: 'unsigned' }
  | { state: 'invalid'; problem: string; keyId?: string; publicKey?: string }
  | { state: 'valid'; keyId: string; publicKey: string; signer: string; signedAt: string };

async function manifestOf(dir: string): Promise<SignedContent['manifest']> {
  let pkg: { name?: unknown; version?: unknown; hostplane?: unknown };
  try {
    pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch (error) {
    throw SigningErrors.packageInvalid(dir, `package.json: ${(error as Error).message}`);
  }
  if (typeof pkg !== 'object' || pkg === null || pkg.hostplane === undefined) {
    throw SigningErrors.packageInvalid(dir, 'package.json has no "hostplane" manifest');
  }
  return {
    name: typeof pkg.name === 'string' ? pkg.name : null,
    version: typeof pkg.version === 'string' ? pkg.version : null,
    hostplane: pkg.hostplane,
  };
}

function content(doc: SignatureDocument | SignedContent): SignedContent {
  const { format, keyId, publicKey, signer, signedAt, manifest, files } = doc;
  return { format, keyId, publicKey, signer, signedAt, manifest, files };
}

/** Sign the package at `dir` with `privateKey`, writing `hostplane.sig.json`. */
export async function signPackage(dir: string, privateKey: KeyObject, signer: string): Promise<SignatureDocument> {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const signed: SignedContent = {
    format: SIGNATURE_FORMAT,
    keyId: signerKeyId(publicKey),
    publicKey,
    signer: signer.slice(0, 100),
    signedAt: new Date().toISOString(),
    manifest: await manifestOf(dir),
    files: await packageFiles(dir),
  };
  const signature = edSign(null, Buffer.from(canonicalJson(signed), 'utf8'), privateKey).toString('base64');
  const doc: SignatureDocument = { ...signed, signature };
  await writeFile(join(dir, SIGNATURE_FILE), `${JSON.stringify(doc, null, 2)}\n`, 'utf8');
  return doc;
}

async function readDocument(dir: string): Promise<SignatureDocument | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, SIGNATURE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (text.length > MAX_SIGNATURE_BYTES) throw new Error(`${SIGNATURE_FILE} is larger than ${MAX_SIGNATURE_BYTES} bytes`);
  return JSON.parse(text) as SignatureDocument;
}

function shapeProblem(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return 'not a JSON object';
  const d = doc as Partial<SignatureDocument>;
  if (d.format !== SIGNATURE_FORMAT) return `unknown format ${JSON.stringify(d.format)}`;
  for (const key of ['keyId', 'publicKey', 'signer', 'signedAt', 'signature'] as const) {
    if (typeof d[key] !== 'string') return `${key} is missing`;
  }
  if (!Array.isArray(d.files)) return 'files is missing';
  if (typeof d.manifest !== 'object' || d.manifest === null) return 'manifest is missing';
  return undefined;
}

function firstDifference(signed: SignedFile[], actual: SignedFile[]): string | undefined {
  const before = new Map(signed.map((f) => [f.path, f]));
  const now = new Map(actual.map((f) => [f.path, f]));
  for (const file of actual) {
    const was = before.get(file.path);
    if (!was) return `${file.path} was added after signing`;
    if (was.sha256 !== file.sha256 || was.size !== file.size) return `${file.path} was changed after signing`;
  }
  for (const file of signed) if (!now.has(file.path)) return `${file.path} was removed after signing`;
  return undefined;
}

/** Verify the signature of the package at `dir` (no trust decision: see trust.ts). */
export async function verifyPackage(dir: string): Promise<Verification> {
  let doc: SignatureDocument | undefined;
  try {
    doc = await readDocument(dir);
  } catch (error) {
    return { state: 'invalid', problem: `${SIGNATURE_FILE}: ${(error as Error).message}` };
  }
  if (doc === undefined) return { state: 'unsigned' };
  const shape = shapeProblem(doc);
  if (shape) return { state: 'invalid', problem: `${SIGNATURE_FILE}: ${shape}` };
  const ids = { keyId: doc.keyId, publicKey: doc.publicKey };
  try {
    const key = parsePublicKey(doc.publicKey, SIGNATURE_FILE);
    if (key.keyId !== doc.keyId) return { state: 'invalid', problem: 'the key id does not match the public key', ...ids };
    const ok = edVerify(
      null,
      Buffer.from(canonicalJson(content(doc)), 'utf8'),
      publicKeyObject(key.publicKey),
      Buffer.from(doc.signature, 'base64'),
    );
    if (!ok) return { state: 'invalid', problem: 'the signature does not match its content', ...ids };
    if (canonicalJson(doc.manifest) !== canonicalJson(await manifestOf(dir))) {
      return { state: 'invalid', problem: 'package.json (name, version or manifest) was changed after signing', ...ids };
    }
    const difference = firstDifference(doc.files, await packageFiles(dir));
    if (difference) return { state: 'invalid', problem: difference, ...ids };
  } catch (error) {
    return { state: 'invalid', problem: (error as Error).message, ...ids };
  }
  return { state: 'valid', keyId: doc.keyId, publicKey: doc.publicKey, signer: doc.signer, signedAt: doc.signedAt };
}
