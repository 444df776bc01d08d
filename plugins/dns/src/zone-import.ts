/**
 * Reading a zone file (RFC 1035 §5 master format, as BIND, PowerDNS and registrars export it)
 * into record inputs for the zone's rules. Supported: `$ORIGIN`, `$TTL`, comments, parentheses
 * across lines, a blank owner (the previous one), `@`, relative names (in owners and in the
 * host-name fields of CNAME, MX, NS and SRV), TTL and class in either order. The SOA and the
 * apex NS records are skipped: the platform sets both. `$INCLUDE`, other classes and types the
 * platform does not serve are refused with the line number.
 */
import { DnsErrors } from './errors.js';
import { RECORD_TYPES, type RecordInput } from './records.js';

const FIELD = '/body/zoneFile';

/** A record read from the file, with its line for error messages. */
export interface ImportedRecord extends RecordInput {
  line: number;
}

function bad(line: number, message: string): never {
  throw DnsErrors.invalid(FIELD, `line ${line}: ${message}`);
}

/** Split one logical line into tokens; quoted strings keep their quotes. */
function tokenize(text: string, line: number): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) bad(line, 'a quoted string is not closed');
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j += text[j] === '\\' ? 2 : 1;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

/** Logical lines: comments removed, parenthesised groups joined; each with its first line number. */
function logicalLines(text: string): Array<{ line: number; text: string; indented: boolean }> {
  const out: Array<{ line: number; text: string; indented: boolean }> = [];
  let current: { line: number; text: string; indented: boolean } | null = null;
  let depth = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const n = index + 1;
    let stripped = '';
    let quoted = false;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as string;
      if (c === '\\' && i + 1 < raw.length) {
        stripped += c + raw[++i];
        continue;
      }
      if (c === '"') quoted = !quoted;
      if (c === ';' && !quoted) break;
      if ((c === '(' || c === ')') && !quoted) {
        depth += c === '(' ? 1 : -1;
        if (depth < 0) bad(n, 'a ")" without "("');
        stripped += ' ';
        continue;
      }
      stripped += c;
    }
    if (current) current.text += ` ${stripped}`;
    else current = { line: n, text: stripped, indented: /^[ \t]/.test(raw) };
    if (depth === 0) {
      if (current.text.trim() !== '') out.push(current);
      current = null;
    }
  });
  if (depth !== 0 && current) bad((current as { line: number }).line, 'a "(" is never closed');
  return out;
}

function absolute(name: string, origin: string): string {
  if (name === '@') return `${origin}.`;
  return name.endsWith('.') ? name : `${name}.${origin}.`;
}

/** Host-name fields relative to the origin become absolute; the zone rules do the rest. */
function absoluteData(type: string, rdata: string[], origin: string): string {
  const last = rdata.length - 1;
  const target = (i: number) => rdata.map((t, k) => (k === i && t !== '.' ? absolute(t, origin) : t));
  switch (type) {
    case 'CNAME':
    case 'NS':
      return target(0).join(' ');
    case 'MX':
      return target(1).join(' ');
    case 'SRV':
      return target(3).join(' ');
    case 'TXT':
      return rdata.map((t) => (t.startsWith('"') ? t : `"${t.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(' ');
    default:
      return rdata.slice(0, last + 1).join(' ');
  }
}

/** Parse `text` for `zone`; every record the platform would serve, in file order. */
export function parseZoneFile(text: string, zone: string, defaultTtl: number): ImportedRecord[] {
  if (text.length > 1_000_000) throw DnsErrors.invalid(FIELD, 'A zone file has at most 1 MB');
  let origin = zone;
  let ttl: number | undefined;
  let owner: string | null = null;
  const records: ImportedRecord[] = [];
  for (const { line, text: body, indented } of logicalLines(text)) {
    const tokens = tokenize(body, line);
    const first = tokens[0] as string;
    if (first.startsWith('$')) {
      const directive = first.toUpperCase();
      if (directive === '$ORIGIN') {
        const value = tokens[1];
        if (!value || !value.endsWith('.')) bad(line, '$ORIGIN needs a full name ending in a dot');
        origin = value.slice(0, -1).toLowerCase();
        if (origin !== zone && !origin.endsWith(`.${zone}`)) bad(line, `$ORIGIN ${value} is outside the zone ${zone}`);
      } else if (directive === '$TTL') {
        if (!/^[0-9]{1,10}$/.test(tokens[1] ?? '')) bad(line, '$TTL needs a number of seconds');
        ttl = Number(tokens[1]);
      } else bad(line, `${first} is not supported`);
      continue;
    }
    let i = 0;
    if (!indented) {
      owner = absolute(first, origin);
      i = 1;
    } else if (owner === null) bad(line, 'the first record needs an owner name');
    let recordTtl: number | undefined;
    for (let k = 0; k < 2 && i < tokens.length; k++) {
      const t = tokens[i] as string;
      if (/^[0-9]{1,10}$/.test(t)) {
        recordTtl = Number(t);
        i++;
      } else if (/^(IN|CH|HS|CS)$/i.test(t)) {
        if (t.toUpperCase() !== 'IN') bad(line, `class ${t} is not served; only IN`);
        i++;
      }
    }
    const type = (tokens[i] ?? '').toUpperCase();
    const rdata = tokens.slice(i + 1);
    if (!type) bad(line, 'the record type is missing');
    if (type === 'SOA') continue;
    if (type === 'NS' && owner === `${zone}.`) continue;
    if (!(RECORD_TYPES as readonly string[]).includes(type))
      bad(line, `${type} records are not served here (${RECORD_TYPES.join(', ')})`);
    if (rdata.length === 0) bad(line, `the ${type} record has no data`);
    records.push({
      line,
      name: owner as string,
      type,
      ttl: recordTtl ?? ttl ?? defaultTtl,
      data: absoluteData(type, rdata, origin),
    });
  }
  return records;
}
