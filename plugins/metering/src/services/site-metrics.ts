/**
 * Per-site traffic in the Prometheus text format with bounded label cardinality: the `top`
 * busiest sites by name, every other site summed as `site="_other"`, so a platform of 10,000
 * sites exports at most top + 1 series per metric. Values are totals over the kept history
 * (counters: `rate()` works; a site entering or leaving the top moves its traffic between
 * its own series and `other`, which Prometheus reads as a reset of those two series).
 */
import type { SiteRow } from '../store.js';

interface SiteTraffic {
  website_id: string;
  requests: number;
  bytes_out: number;
  s5: number;
}

const METRICS = [
  { name: 'hostplane_site_http_requests_total', help: 'Requests served per website (from its access log)', field: 'requests' },
  { name: 'hostplane_site_sent_bytes_total', help: 'Bytes sent per website, headers included', field: 'bytes_out' },
  { name: 'hostplane_site_http_5xx_total', help: 'Requests answered with a 5xx status per website', field: 's5' },
] as const;

/** A label value as the exposition format wants it (backslash, quote and newline escaped). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderSiteMetrics(rows: SiteTraffic[], sites: SiteRow[], top: number): string {
  const names = new Map(sites.map((s) => [s.id, s.name]));
  const busiest = rows.filter((r) => names.has(r.website_id)).slice(0, top);
  const named = new Set(busiest.map((r) => r.website_id));
  const other = { requests: 0, bytes_out: 0, s5: 0 };
  for (const r of rows) {
    if (named.has(r.website_id)) continue;
    other.requests += r.requests;
    other.bytes_out += r.bytes_out;
    other.s5 += r.s5;
  }
  const lines: string[] = [];
  for (const m of METRICS) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} counter`);
    for (const r of busiest) lines.push(`${m.name}{site="${label(names.get(r.website_id)!)}"} ${r[m.field]}`);
    lines.push(`${m.name}{site="_other"} ${other[m.field]}`);
  }
  return `${lines.join('\n')}\n`;
}
