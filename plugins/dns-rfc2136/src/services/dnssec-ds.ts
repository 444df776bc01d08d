/**
 * DS records from DNSKEYs (RFC 4034 §5.1.4 and Appendix B; SHA-256 digests, RFC 4509): what a
 * customer hands their registry when a zone is signed. Only key-signing keys (the SEP flag, 257)
 * get one. Computed here rather than by running `dnssec-dsfromkey` for each read: it is a hash
 * over the owner name and the key's RDATA, checked against that tool in the tests.
 */
import { createHash } from 'node:crypto';
import type { DsRecord } from '@hostplane/sdk';

/** One DNSKEY as published: flags, protocol, algorithm and the base64 public key. */
export interface DnsKey {
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string;
}

const SEP = 0x0001;

/** The owner name in canonical wire form: lower-case labels, each length-prefixed, root last. */
function wireName(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function rdata(key: DnsKey): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(key.flags, 0);
  head.writeUInt8(key.protocol, 2);
  head.writeUInt8(key.algorithm, 3);
  return Buffer.concat([head, Buffer.from(key.publicKey, 'base64')]);
}

/** RFC 4034 Appendix B key tag (algorithms other than 1). */
export function keyTag(key: DnsKey): number {
  const data = rdata(key);
  let ac = 0;
  for (let i = 0; i < data.length; i += 1) ac += i & 1 ? data[i]! : data[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

/** SHA-256 DS records of the key-signing keys among `keys`, sorted by key tag. */
export function dsOf(zone: string, keys: DnsKey[]): DsRecord[] {
  return keys
    .filter((k) => (k.flags & SEP) === SEP && k.protocol === 3)
    .map((k) => ({
      keyTag: keyTag(k),
      algorithm: k.algorithm,
      digestType: 2,
      digest: createHash('sha256').update(wireName(zone)).update(rdata(k)).digest('hex').toUpperCase(),
    }))
    .sort((a, b) => a.keyTag - b.keyTag);
}
