/**
 * The rules of names and records, pure: what a person types becomes the canonical presentation
 * form the DNS provider serves (and reports back identically, so a re-apply is a no-op), or a
 * 400 naming the field and the reason.
 *
 * - Zone names: lower-case ASCII (IDNA applied), 2+ labels of 1–63 letters, digits and inner
 *   hyphens, at most 253 characters, not an IP address, not a reserved suffix.
 * - Record owner names: `@`, a name relative to the zone (`www`, `_sip._tcp`, `*.dev`) or a full
 *   name inside the zone; labels may hold `_` (service labels); `*` only as the leftmost label.
 * - Host-name targets (MX, NS, SRV): strict host names (RFC 1123: letters, digits, inner hyphens)
 *   — never an IP address; CNAME targets may carry `_` labels (DKIM delegations).
 * - TXT: free text (printable, no NUL), split into strings of at most 255 bytes.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import type { DnsRecordType } from '@hostplane/sdk';
import { DnsErrors } from './errors.js';

export const RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'];

/** Names no zone may take: they reach the host itself or never resolve publicly. */
const RESERVED_SUFFIXES = ['localhost', 'local', 'invalid', 'arpa', 'internal', 'onion', 'example', 'test'];

const LDH = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Owner-name labels: LDH or service labels such as `_dmarc`, `_sip`, `_domainkey`. */
const OWNER_LABEL = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Limits the plugin's config sets. */
export interface RecordPolicy {
  minTtl: number;
  maxTtl: number;
  /** Allow zones under the reserved `test` / `example` names (tests and demos). */
  allowReservedTlds?: boolean;
}

/** A record as the API takes it. */
export interface RecordInput {
  name: string;
  type: string;
  ttl?: number | undefined;
  data: string;
}

/** A record in canonical form. */
export interface CanonicalRecord {
  /** Full owner name, lower-case, no trailing dot. */
  name: string;
  type: DnsRecordType;
  ttl: number;
  /** Presentation-format data as served. */
  content: string;
}

function bad(field: string, message: string): never {
  throw DnsErrors.invalid(field, message);
}

/** Canonical zone name, or a 400 naming `field`. */
export function zoneName(input: string, field = '/body/name', policy: Pick<RecordPolicy, 'allowReservedTlds'> = {}): string {
  if (typeof input !== 'string' || input.length === 0) bad(field, 'The zone name is empty');
  if (input.length > 254) bad(field, 'A domain has at most 253 characters');
  if (CONTROL.test(input) || /[\s/\\@*,;:'"`<>]/.test(input)) bad(field, `"${input}" contains characters a domain cannot have`);
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii) bad(field, `"${input}" is not a valid domain name`);
  if (ascii.length > 253) bad(field, 'A domain has at most 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) bad(field, 'A zone needs at least two labels, like example.com');
  for (const label of labels) {
    if (!LDH.test(label)) bad(field, `The label "${label}" must be 1–63 letters, digits or inner hyphens`);
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) bad(field, 'An IP address is not a domain');
  const reserved = RESERVED_SUFFIXES.filter((s) => !(policy.allowReservedTlds && (s === 'test' || s === 'example')));
  for (const suffix of reserved) {
    if (ascii === suffix || ascii.endsWith(`.${suffix}`)) bad(field, `"${suffix}" names are reserved`);
  }
  return ascii;
}

/** The full owner name of `input` in `zone` (`@` → apex, `www` → `www.<zone>`). */
export function ownerName(input: string, zone: string, field = '/body/name'): string {
  if (typeof input !== 'string') bad(field, 'The name is missing');
  if (CONTROL.test(input) || /[\s/\\,;:'"`<>@]/.test(input.replace(/^@$/, '')))
    bad(field, `"${input}" contains characters a name cannot have`);
  let name = input.trim().toLowerCase();
  if (name === '' || name === '@') return zone;
  if (name.endsWith('.')) {
    name = name.slice(0, -1);
    if (name !== zone && !name.endsWith(`.${zone}`)) bad(field, `${input} is not inside the zone ${zone}`);
  } else if (name !== zone && !name.endsWith(`.${zone}`)) {
    name = `${name}.${zone}`;
  }
  const ascii = name
    .split('.')
    .map((l) => (/[^\x20-\x7e]/.test(l) ? domainToASCII(l) : l))
    .join('.');
  if (ascii.length > 253) bad(field, 'A name has at most 253 characters');
  const labels = ascii.split('.');
  labels.forEach((label, i) => {
    if (label === '*') {
      if (i !== 0) bad(field, 'A wildcard (*) must be the leftmost label');
      return;
    }
    if (!OWNER_LABEL.test(label)) bad(field, `The label "${label}" must be 1–63 letters, digits, hyphens or underscores`);
  });
  return ascii;
}

/** A strict host name (MX, NS, SRV targets) as a full name with the trailing dot. */
export function hostTarget(input: string, zone: string, field: string, allowUnderscore = false): string {
  let name = input.trim().toLowerCase();
  if (name === '') bad(field, 'The target host name is empty');
  if (name === '@') return `${zone}.`;
  if (isIPv4(name) || isIPv6(name)) bad(field, `The target must be a host name, not an IP address (${input})`);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (CONTROL.test(name) || /[\s/\\,;:'"`<>@*]/.test(name)) bad(field, `"${input}" is not a host name`);
  const ascii = domainToASCII(name);
  if (!ascii || ascii.length > 253) bad(field, `"${input}" is not a host name`);
  const labels = ascii.split('.');
  if (labels.length < 2) bad(field, `"${input}" is not a full host name: write ${input}.${zone} for one inside the zone`);
  for (const label of labels) {
    if (!(allowUnderscore ? OWNER_LABEL : LDH).test(label))
      bad(field, `The label "${label}" of the target is not valid in a host name`);
  }
  return `${ascii}.`;
}

function integer(text: string | undefined, min: number, max: number, field: string, what: string): number {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) bad(field, `${what} must be a whole number from ${min} to ${max}`);
  const n = Number(text);
  if (n < min || n > max) bad(field, `${what} must be from ${min} to ${max}`);
  return n;
}

/** TXT text → quoted strings of at most 255 bytes (split at character boundaries), escaped. */
export function txtContent(text: string, field: string): string {
  if (CONTROL.test(text)) bad(field, 'TXT data cannot hold control characters');
  // Data already in presentation form ("a" "b") is taken apart first, so a re-edit keeps it.
  const parts = /^\s*"/.test(text) ? parseQuoted(text, field) : [text];
  const total = parts.reduce((n, p) => n + Buffer.byteLength(p), 0);
  if (total === 0) bad(field, 'TXT data is empty');
  if (total > 4000) bad(field, 'TXT data has at most 4000 bytes');
  const chunks: string[] = [];
  for (const part of parts) {
    let current = '';
    for (const ch of part) {
      if (Buffer.byteLength(current + ch) > 255) {
        chunks.push(current);
        current = '';
      }
      current += ch;
    }
    if (current) chunks.push(current);
  }
  return chunks.map((c) => `"${escapeTxt(c)}"`).join(' ');
}

/** Escape as PowerDNS writes TXT: `"` and `\` with a backslash, bytes outside printable ASCII as \DDD. */
function escapeTxt(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}

function parseQuoted(text: string, field: string): string[] {
  const parts: string[] = [];
  const re = /\s*"((?:[^"\\]|\\.)*)"/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    const bytes: number[] = [];
    const raw = m[1] as string;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === '\\' && /^[0-9]{3}$/.test(raw.slice(i + 1, i + 4))) {
        bytes.push(Number(raw.slice(i + 1, i + 4)));
        i += 3;
      } else if (raw[i] === '\\') {
        bytes.push(...Buffer.from(raw[++i] as string));
      } else bytes.push(...Buffer.from(raw[i] as string));
    }
    parts.push(Buffer.from(bytes).toString('utf8'));
    end = re.lastIndex;
  }
  if (text.slice(end).trim() !== '') bad(field, 'TXT data in quotes must be one or more "quoted strings"');
  return parts;
}

/** Canonical AAAA text (lower case, longest zero run compressed), as PowerDNS prints it. */
function canonicalIPv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** Canonical presentation data of one record, or a 400 naming `field`. */
export function recordContent(type: DnsRecordType, data: string, zone: string, field = '/body/data'): string {
  if (typeof data !== 'string' || CONTROL.test(data.replace(/\t/g, ' ')) || data.includes('\0'))
    bad(field, 'The data cannot hold control characters');
  const text = data.trim();
  if (text === '') bad(field, `${type} data is empty`);
  if (text.length > 4500) bad(field, 'The data is too long');
  const words = text.split(/\s+/);
  switch (type) {
    case 'A':
      if (!isIPv4(text)) bad(field, `"${text}" is not an IPv4 address`);
      return text;
    case 'AAAA':
      if (!isIPv6(text) || text.includes('%')) bad(field, `"${text}" is not an IPv6 address`);
      return canonicalIPv6(text);
    case 'CNAME':
      if (words.length !== 1) bad(field, 'A CNAME points to one host name');
      return hostTarget(text, zone, field, true);
    case 'NS':
      if (words.length !== 1) bad(field, 'An NS record names one host');
      return hostTarget(text, zone, field);
    case 'MX': {
      if (words.length !== 2) bad(field, 'MX data is "<priority> <mail host>", e.g. "10 mail.example.com"');
      const priority = integer(words[0], 0, 65535, field, 'The MX priority');
      return `${priority} ${hostTarget(words[1] as string, zone, field)}`;
    }
    case 'SRV': {
      if (words.length !== 4) bad(field, 'SRV data is "<priority> <weight> <port> <target>"');
      const [p, w, port] = [0, 1, 2].map((i) =>
        integer(words[i], 0, 65535, field, ['The priority', 'The weight', 'The port'][i] as string),
      );
      // "." means "no such service here" (RFC 2782).
      const target = words[3] === '.' ? '.' : hostTarget(words[3] as string, zone, field);
      return `${p} ${w} ${port} ${target}`;
    }
    case 'CAA': {
      const m = /^([0-9]{1,3})\s+([A-Za-z0-9]{1,15})\s+(.+)$/.exec(text);
      if (!m) bad(field, 'CAA data is "<flags> <tag> <value>", e.g. 0 issue "letsencrypt.org"');
      const flags = integer(m[1], 0, 255, field, 'The CAA flags');
      const tag = (m[2] as string).toLowerCase();
      if (!['issue', 'issuewild', 'iodef'].includes(tag)) bad(field, 'The CAA tag must be issue, issuewild or iodef');
      let value = m[3] as string;
      if (value.startsWith('"')) {
        if (!/^"(?:[^"\\]|\\.)*"$/.test(value)) bad(field, 'The CAA value must be one quoted string');
        value = value.slice(1, -1);
      }
      if (/["\\]/.test(value) || /[^\x20-\x7e]/.test(value)) bad(field, 'The CAA value must be printable ASCII without quotes');
      if (tag === 'iodef' && !/^(mailto:|https?:\/\/)/.test(value)) bad(field, 'An iodef value is a mailto: or http(s): URL');
      return `${flags} ${tag} "${value}"`;
    }
    case 'TXT':
      return txtContent(text, field);
  }
}

/** Validate one record of `zone` as the API takes it. */
export function canonicalRecord(
  input: RecordInput,
  zone: string,
  policy: RecordPolicy,
  defaultTtl: number,
  prefix = '/body',
): CanonicalRecord {
  const type = typeof input.type === 'string' ? input.type.toUpperCase() : '';
  if (!(RECORD_TYPES as readonly string[]).includes(type))
    bad(`${prefix}/type`, `The type must be one of ${RECORD_TYPES.join(', ')}`);
  const ttl = input.ttl ?? defaultTtl;
  if (!Number.isInteger(ttl) || ttl < policy.minTtl || ttl > policy.maxTtl) {
    bad(`${prefix}/ttl`, `The TTL must be a whole number of seconds from ${policy.minTtl} to ${policy.maxTtl}`);
  }
  const name = ownerName(input.name, zone, `${prefix}/name`);
  const t = type as DnsRecordType;
  if (name === zone && t === 'CNAME') bad(`${prefix}/name`, 'The zone apex cannot have a CNAME (it holds SOA and NS)');
  if (name === zone && t === 'NS') bad(`${prefix}/name`, "The zone apex's NS records are the platform's name servers");
  if (name.startsWith('*') && t === 'NS') bad(`${prefix}/name`, 'A wildcard cannot be delegated');
  return { name, type: t, ttl, content: recordContent(t, input.data, zone, `${prefix}/data`) };
}

/**
 * Whether `record` may join `existing` (the zone's other records): one CNAME per name and
 * nothing else beside it (RFC 1034 §3.6.2), no duplicates, nothing below a delegation.
 * Throws a 400 naming the field.
 */
export function assertFits(record: CanonicalRecord, existing: CanonicalRecord[], zone: string, prefix = '/body'): void {
  const atName = existing.filter((r) => r.name === record.name);
  if (atName.some((r) => r.type === record.type && r.content === record.content)) {
    bad(`${prefix}/data`, `${record.name} already has this ${record.type} record`);
  }
  if (record.type === 'CNAME' && atName.length > 0) {
    bad(`${prefix}/type`, `${record.name} already has other records; a CNAME must be alone at its name`);
  }
  if (record.type !== 'CNAME' && atName.some((r) => r.type === 'CNAME')) {
    bad(`${prefix}/type`, `${record.name} has a CNAME; no other record can share its name`);
  }
  const delegated = existing.find((r) => r.type === 'NS' && r.name !== zone && record.name.endsWith(`.${r.name}`));
  if (delegated) bad(`${prefix}/name`, `${record.name} is below the delegation ${delegated.name}`);
  if (record.type === 'NS' && existing.some((r) => r.name.endsWith(`.${record.name}`))) {
    bad(`${prefix}/name`, `${record.name} has names below it; delegate an empty name`);
  }
}
