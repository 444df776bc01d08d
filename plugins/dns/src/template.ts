/**
 * Zone templates: the records a new zone starts with, written with placeholders (`{domain}`,
 * `{ipv4}`, `{ipv6}`) that are filled in for each zone. The platform's template comes from the
 * config (A/AAAA to the server, www, MX with its mail host, SPF, DMARC); a package may carry its
 * own (decision 0070). A template is checked with the records API's own rules
 * (`canonicalRecord`, `assertFits`) against a sample zone, so what it holds is what a person
 * could have added by hand.
 */
import type { DnsConfig } from './config.js';
import { DnsErrors } from './errors.js';
import { assertFits, canonicalRecord, type CanonicalRecord, type RecordInput, type RecordPolicy } from './records.js';

/** A record of a template: as the records API takes it, with placeholders in `name` and `data`. */
export interface TemplateRecord {
  name: string;
  type: string;
  ttl?: number | undefined;
  data: string;
}

/** What the placeholders stand for in one zone; an empty value leaves out the records using it. */
export interface TemplateValues {
  domain: string;
  ipv4: string;
  ipv6: string;
}

export const PLACEHOLDERS = ['domain', 'ipv4', 'ipv6'] as const;

/** Most records a template may hold (a template is a starting point, not a zone store). */
export const MAX_TEMPLATE_RECORDS = 100;

const PLACEHOLDER = /\{([A-Za-z0-9_]*)\}/g;

/** The platform's template, from the config: what a package without its own template gets. */
export function platformTemplate(config: DnsConfig): TemplateRecord[] {
  const out: TemplateRecord[] = [];
  const addresses: Array<['A' | 'AAAA', string]> = [];
  if (config.serverIpv4) addresses.push(['A', '{ipv4}']);
  if (config.serverIpv6) addresses.push(['AAAA', '{ipv6}']);
  for (const [type, data] of addresses) out.push({ name: '@', type, data });
  if (addresses.length > 0) out.push({ name: 'www', type: 'CNAME', data: '@' });
  if (config.templateMail && addresses.length > 0) {
    for (const [type, data] of addresses) out.push({ name: 'mail', type, data });
    out.push({ name: '@', type: 'MX', data: '10 mail.{domain}' });
  }
  if (config.templateSpf) out.push({ name: '@', type: 'TXT', data: config.templateSpf });
  if (config.templateDmarc) out.push({ name: '_dmarc', type: 'TXT', data: config.templateDmarc });
  return out;
}

/** The values of a zone `domain` from the config's server addresses. */
export function valuesFor(config: DnsConfig, domain: string): TemplateValues {
  return { domain, ipv4: config.serverIpv4, ipv6: config.serverIpv6 };
}

/**
 * `text` with its placeholders filled in, or null when one of them has no value here (the
 * record is left out: no IPv6 configured means no AAAA). An unknown placeholder is a 400.
 */
function fill(text: string, values: TemplateValues, field: string): string | null {
  let missing = false;
  const out = text.replace(PLACEHOLDER, (_, key: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(key)) {
      throw DnsErrors.invalid(field, `Unknown placeholder {${key}}: use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`);
    }
    const value = values[key as keyof TemplateValues];
    if (!value) missing = true;
    return value;
  });
  return missing ? null : out;
}

/** One template record with its values filled in, or null when it is left out here. */
export function fillRecord(record: TemplateRecord, values: TemplateValues, prefix: string): RecordInput | null {
  const name = fill(record.name, values, `${prefix}/name`);
  const data = fill(record.data, values, `${prefix}/data`);
  if (name === null || data === null) return null;
  return { name, type: record.type, ttl: record.ttl, data };
}

// A sample zone for checking a template: every placeholder has a value, so every record is checked.
const SAMPLE: TemplateValues = { domain: 'template-check.example.com', ipv4: '192.0.2.1', ipv6: '2001:db8::1' };

/**
 * Check a template as the records API would check its records added one by one to an empty
 * zone (types, TTLs, names, data, CNAME alone at its name, duplicates, delegations). Throws
 * `DNS_ERR_INVALID` naming `/body/records/<i>/<field>`.
 */
export function checkTemplate(records: TemplateRecord[], policy: RecordPolicy, defaultTtl: number, maxRecords: number): void {
  const limit = Math.min(MAX_TEMPLATE_RECORDS, maxRecords);
  if (records.length > limit) throw DnsErrors.invalid('/body/records', `A template holds at most ${limit} records`);
  const accepted: CanonicalRecord[] = [];
  records.forEach((record, i) => {
    const prefix = `/body/records/${i}`;
    const input = fillRecord(record, SAMPLE, prefix) as RecordInput;
    const rec = canonicalRecord(input, SAMPLE.domain, policy, defaultTtl, prefix);
    assertFits(rec, accepted, SAMPLE.domain, prefix);
    accepted.push(rec);
  });
}

/** A template record that does not fit one particular zone (a name too long for it, say). */
export interface SkippedRecord {
  index: number;
  reason: string;
}

/**
 * The records `template` gives the zone `values.domain`: placeholders filled in, records whose
 * placeholder has no value left out, and (checked once more, for this zone) records that do not
 * fit it skipped with the reason rather than refusing the zone.
 */
export function resolveTemplate(
  template: TemplateRecord[],
  values: TemplateValues,
  policy: RecordPolicy,
  defaultTtl: number,
): { records: CanonicalRecord[]; skipped: SkippedRecord[] } {
  const records: CanonicalRecord[] = [];
  const skipped: SkippedRecord[] = [];
  template.forEach((record, index) => {
    try {
      const input = fillRecord(record, values, `/records/${index}`);
      if (!input) return;
      const rec = canonicalRecord(input, values.domain, policy, defaultTtl, `/records/${index}`);
      assertFits(rec, records, values.domain, `/records/${index}`);
      records.push(rec);
    } catch (err) {
      if (!DnsErrors.invalid.is(err)) throw err;
      skipped.push({ index, reason: err.message });
    }
  });
  return { records, skipped };
}
