/**
 * SSH public keys as customers paste them (`ssh-ed25519 AAAA… me@laptop`). A key is parsed and
 * written back from its parts, never copied as text: authorized_keys options (`command=…`,
 * `from=…`) or a second line smuggled into the comment must not reach sshd.
 */
import { createHash } from 'node:crypto';

/** Key types sshd takes from a customer; DSA is gone from OpenSSH and small RSA keys are refused below. */
const TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

export const MAX_KEYS = 20;
const MAX_KEY_TEXT = 16_384;
const MIN_RSA_BITS = 2048;

export interface PublicKey {
  type: string;
  /** base64 of the key blob. */
  data: string;
  /** Printable ASCII only, at most 100 characters ('' when none). */
  comment: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

/** Read one SSH string (uint32 length + bytes) at `at`; null past the end. */
function sshString(blob: Buffer, at: number): { value: Buffer; next: number } | null {
  if (at + 4 > blob.length) return null;
  const length = blob.readUInt32BE(at);
  if (at + 4 + length > blob.length) return null;
  return { value: blob.subarray(at + 4, at + 4 + length), next: at + 4 + length };
}

/** Bits of an RSA modulus (an SSH mpint: big-endian, maybe a leading zero byte). */
function rsaBits(blob: Buffer): number | null {
  const type = sshString(blob, 0);
  const e = type && sshString(blob, type.next);
  const n = e && sshString(blob, e.next);
  if (!n) return null;
  let bytes = n.value;
  while (bytes.length > 0 && bytes[0] === 0) bytes = bytes.subarray(1);
  if (bytes.length === 0) return 0;
  return (bytes.length - 1) * 8 + Math.floor(Math.log2(bytes[0]!)) + 1;
}

/** Parse one key line; throws an Error whose message says why (the caller turns it into a 400). */
export function parsePublicKey(text: string): PublicKey {
  if (typeof text !== 'string' || text.length > MAX_KEY_TEXT) throw new Error(`a key is at most ${MAX_KEY_TEXT} characters`);
  // eslint-disable-next-line no-control-regex -- a key is one line of printable text
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(text.trim())) throw new Error('a key is one line without control characters');
  const parts = text.trim().split(/[ \t]+/);
  const [type, data, ...rest] = parts;
  if (!type || !TYPES.has(type)) {
    throw new Error(
      `it must start with the key type (${[...TYPES].slice(0, 3).join(', ')} …); options before the key are not accepted`,
    );
  }
  if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) throw new Error('the key data is not base64');
  const blob = Buffer.from(data, 'base64');
  const inner = sshString(blob, 0);
  if (!inner || inner.value.toString('latin1') !== type) throw new Error(`the key data is not a ${type} key`);
  if (type === 'ssh-rsa') {
    const bits = rsaBits(blob);
    if (bits === null) throw new Error('the RSA key is malformed');
    if (bits < MIN_RSA_BITS) throw new Error(`RSA keys need at least ${MIN_RSA_BITS} bits (this one has ${bits})`);
  }
  const comment = rest
    .join(' ')
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 100)
    .trim();
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type, data: blob.toString('base64'), comment, fingerprint };
}

/** Parse a list; duplicates (same fingerprint) collapse to one. Errors carry the index. */
export function parsePublicKeys(texts: string[]): { keys: PublicKey[] } | { index: number; reason: string } {
  const keys: PublicKey[] = [];
  for (const [index, text] of texts.entries()) {
    try {
      const key = parsePublicKey(text);
      if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key);
    } catch (err) {
      return { index, reason: (err as Error).message };
    }
  }
  return { keys };
}

/** The authorized_keys file of an account: one rebuilt line per key, nothing else. */
export function authorizedKeys(keys: readonly PublicKey[]): string {
  return keys.map((k) => `${k.type} ${k.data}${k.comment ? ` ${k.comment}` : ''}\n`).join('');
}
