/** The records a new zone starts with: A/AAAA to the server, www, MX with mail host, SPF, DMARC. */
import type { DnsConfig } from './config.js';
import type { RecordInput } from './records.js';

export function templateRecords(config: DnsConfig, zone: string): RecordInput[] {
  const out: RecordInput[] = [];
  const addresses: Array<['A' | 'AAAA', string]> = [];
  if (config.serverIpv4) addresses.push(['A', config.serverIpv4]);
  if (config.serverIpv6) addresses.push(['AAAA', config.serverIpv6]);
  for (const [type, data] of addresses) out.push({ name: '@', type, data });
  if (addresses.length > 0) out.push({ name: 'www', type: 'CNAME', data: '@' });
  if (config.templateMail && addresses.length > 0) {
    for (const [type, data] of addresses) out.push({ name: 'mail', type, data });
    out.push({ name: '@', type: 'MX', data: `10 mail.${zone}` });
  }
  if (config.templateSpf) out.push({ name: '@', type: 'TXT', data: config.templateSpf });
  if (config.templateDmarc) out.push({ name: '_dmarc', type: 'TXT', data: config.templateDmarc });
  return out;
}
