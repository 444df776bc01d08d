/**
 * The DNS plugin's zone template of a package (decision 0070), as the package page edits it: one
 * record per line in zone-file order, `name [ttl] type data` (`@ A {ipv4}`, `@ 3600 MX 10
 * mail.{domain}`). The API takes and checks the records; a refusal names the record, which is
 * turned back into the line it came from.
 */
import type { ApiError } from './errors';
import { formErrors } from './errors';

/** The form's field and intents. */
export const DNS_TEMPLATE_FIELD = 'dnsTemplate';
export const DNS_TEMPLATE_SAVE = 'dns-template';
export const DNS_TEMPLATE_INHERIT = 'dns-template-inherit';

export interface TemplateRecord {
  name: string;
  type: string;
  ttl?: number;
  data: string;
}

/** `GET /dns/package-templates/:id` */
export interface PackageDnsTemplate {
  packageId: string;
  source: 'package' | 'reseller' | 'platform';
  records: TemplateRecord[];
  placeholders: { ipv4: string | null; ipv6: string | null };
  updatedAt: string | null;
}

/** `GET /dns/package-templates/:id/preview` */
export interface PackageDnsPreview {
  zone: string;
  records: Array<{ name: string; type: string; ttl: number; data: string }>;
  skipped: Array<{ index: number; reason: string }>;
}

export function templateText(records: TemplateRecord[]): string {
  return records.map((r) => [r.name, ...(r.ttl !== undefined ? [String(r.ttl)] : []), r.type, r.data].join(' ')).join('\n');
}

/**
 * Lines → records, with the line each came from (for errors). Empty lines and `;` comments are
 * skipped. A line without name, type and data is an error here, before the API is asked.
 */
export function parseTemplate(text: string): { records: TemplateRecord[]; lines: number[] } | { error: string } {
  const records: TemplateRecord[] = [];
  const lines: number[] = [];
  const all = text.split(/\r?\n/);
  for (let i = 0; i < all.length; i++) {
    const line = (all[i] as string).trim();
    if (line === '' || line.startsWith(';')) continue;
    const m = /^(\S+)\s+(?:(\d+)\s+)?([A-Za-z]+)\s+(.+)$/.exec(line);
    if (!m) return { error: `Line ${i + 1}: write the name, the type and the data, e.g. "@ A {ipv4}"` };
    records.push({
      name: m[1] as string,
      type: (m[3] as string).toUpperCase(),
      ...(m[2] !== undefined ? { ttl: Number(m[2]) } : {}),
      data: (m[4] as string).trim(),
    });
    lines.push(i + 1);
  }
  return { records, lines };
}

/** The API's refusal as one sentence for the template field, naming the line of the record. */
export function templateError(error: ApiError, lines: number[]): string {
  const m = /records\/(\d+)/.exec(JSON.stringify(error.details ?? {}));
  const message = error.code === 'DNS_ERR_INVALID' ? error.message : formErrors(error).message;
  if (!m) return message;
  const line = lines[Number(m[1])];
  return line !== undefined ? `Line ${line}: ${message}` : message;
}

export const SOURCE_TEXT: Record<PackageDnsTemplate['source'], string> = {
  package: 'This package has its own template.',
  reseller: "This package uses the template of its reseller's own package.",
  platform: "This package uses the platform's default template.",
};
