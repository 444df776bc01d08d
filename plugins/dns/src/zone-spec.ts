/**
 * From stored rows to what a provider serves: SOA from the config and the zone's serial, apex NS
 * from the config's name servers, record sets grouped from the records. Also the next serial.
 */
import type { DnsRecordSet, DnsZoneSpec } from '@hostplane/sdk';
import type { DnsConfig } from './config.js';
import type { CanonicalRecord } from './records.js';

/**
 * The serial after `current` on `now`: `YYYYMMDDnn` when that is larger (RFC 1912's advice),
 * else `current + 1`; so it always grows, even past 99 changes a day.
 */
export function nextSerial(current: number, now: Date): number {
  const day = Number(now.toISOString().slice(0, 10).replace(/-/g, '')) * 100;
  return Math.max(current + 1, day);
}

export function zoneSpec(zone: { name: string; serial: number }, records: CanonicalRecord[], config: DnsConfig): DnsZoneSpec {
  const sets = new Map<string, DnsRecordSet>();
  for (const r of records) {
    const key = `${r.name}/${r.type}`;
    const set = sets.get(key);
    if (set) {
      if (!set.records.includes(r.content)) set.records.push(r.content);
      // One TTL per set (the service keeps them equal; the lowest wins if not).
      set.ttl = Math.min(set.ttl, r.ttl);
    } else sets.set(key, { name: r.name, type: r.type, ttl: r.ttl, records: [r.content] });
  }
  sets.set(`${zone.name}/NS`, {
    name: zone.name,
    type: 'NS',
    ttl: config.defaultTtl,
    records: config.nameservers.map((ns) => `${ns}.`),
  });
  const rrsets = [...sets.values()]
    .map((s) => ({ ...s, records: [...s.records].sort() }))
    .sort((a, b) => (a.name === b.name ? cmp(a.type, b.type) : cmp(a.name, b.name)));
  return {
    name: zone.name,
    soa: {
      primary: `${config.nameservers[0]}.`,
      contact: `${config.hostmaster || `hostmaster.${zone.name}`}.`,
      serial: zone.serial,
      refresh: config.soaRefresh,
      retry: config.soaRetry,
      expire: config.soaExpire,
      minimum: config.soaMinimum,
      ttl: config.defaultTtl,
    },
    rrsets,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The zone in RFC 1035 master-file format (what `GET …/export` returns). */
export function zoneFile(spec: DnsZoneSpec): string {
  const s = spec.soa;
  const lines = [
    `$ORIGIN ${spec.name}.`,
    `@\t${s.ttl}\tIN\tSOA\t${s.primary} ${s.contact} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`,
  ];
  for (const set of spec.rrsets) {
    const owner = set.name === spec.name ? '@' : set.name.slice(0, -(spec.name.length + 1));
    for (const content of set.records) lines.push(`${owner}\t${set.ttl}\tIN\t${set.type}\t${content}`);
  }
  return `${lines.join('\n')}\n`;
}
