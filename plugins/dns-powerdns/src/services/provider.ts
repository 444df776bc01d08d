/**
 * The `DnsProvider` on PowerDNS's HTTP API. `applyZone` reads the served zone, computes the
 * record sets to replace and delete (SOA included), and sends them in one PATCH, which PowerDNS
 * checks in full and commits in one transaction: a refused record changes nothing.
 */
import {
  DnsZoneNotFound,
  type DnsProvider,
  type DnsProviderStatus,
  type DnsRecordSet,
  type DnsRecordType,
  type DnssecState,
  type DnsSoa,
  type DnsZoneSpec,
  type DnsZoneState,
  type DsRecord,
} from '@hostplane/sdk';
import type { PowerDnsApi } from './api.js';
import { type PdnsRrset, type PdnsZone } from './api.js';

/** Record types PowerDNS makes itself when signing; never part of the desired state. */
const GENERATED = new Set(['SOA', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'CDS', 'CDNSKEY']);

/** Where the provider's server is and whether it is running (managed mode answers from its daemon). */
export interface ProviderBackend {
  api: PowerDnsApi;
  /** Null when ready; else why not. */
  unavailable(): Promise<string | null>;
  listen: string | null;
}

export class PowerDnsProvider implements DnsProvider {
  readonly id = 'powerdns';

  constructor(private readonly backend: ProviderBackend) {}

  private get api(): PowerDnsApi {
    return this.backend.api;
  }

  async applyZone(zone: DnsZoneSpec): Promise<void> {
    const wanted = [soaSet(zone.name, zone.soa), ...zone.rrsets.map(toPdns)];
    const current = await this.api.zone(zone.name);
    if (!current) {
      await this.api.createZone(zone.name, wanted);
      return;
    }
    const byKey = new Map(current.rrsets.map((s) => [`${s.name}/${s.type}`, s]));
    const changes: PdnsRrset[] = [];
    for (const set of wanted) {
      const old = byKey.get(`${set.name}/${set.type}`);
      byKey.delete(`${set.name}/${set.type}`);
      if (!old || !sameSet(old, set)) changes.push({ ...set, changetype: 'REPLACE' });
    }
    for (const old of byKey.values()) {
      if (GENERATED.has(old.type)) continue;
      changes.push({ name: old.name, type: old.type, ttl: old.ttl, records: [], changetype: 'DELETE' });
    }
    if (changes.length > 0) await this.api.patchZone(zone.name, changes);
  }

  async getZone(name: string): Promise<DnsZoneState | null> {
    const zone = await this.api.zone(name);
    return zone ? toState(name, zone) : null;
  }

  async listZones(): Promise<string[]> {
    return (await this.api.zones()).map((z) => plain(z.name)).sort();
  }

  async removeZone(name: string): Promise<void> {
    if (await this.api.zone(name)) await this.api.deleteZone(name);
  }

  async setDnssec(name: string, enabled: boolean): Promise<DnssecState> {
    if (!(await this.api.zone(name))) throw DnsZoneNotFound(name);
    const keys = await this.api.cryptokeys(name);
    if (enabled && !keys.some((k) => k.active)) {
      await this.api.addCryptokey(name);
      await this.api.rectify(name);
    }
    if (!enabled) {
      for (const key of keys) await this.api.deleteCryptokey(name, key.id);
      if (keys.length > 0) await this.api.rectify(name);
    }
    return this.getDnssec(name);
  }

  async getDnssec(name: string): Promise<DnssecState> {
    if (!(await this.api.zone(name))) throw DnsZoneNotFound(name);
    const keys = (await this.api.cryptokeys(name)).filter((k) => k.active);
    if (keys.length === 0) return { enabled: false, ds: [] };
    // Full key objects carry `ds`; the list may too. SHA-256 digests only: what registries take.
    const ds = keys
      .flatMap((k) => k.ds ?? [])
      .map(parseDs)
      .filter((d): d is DsRecord => d !== null && d.digestType === 2);
    return { enabled: true, ds };
  }

  async status(): Promise<DnsProviderStatus> {
    const reason = await this.backend.unavailable();
    if (reason !== null) return { state: 'degraded', reason, listen: this.backend.listen, dnssec: false };
    try {
      await this.api.server();
      return { state: 'ready', reason: null, listen: this.backend.listen, dnssec: true };
    } catch (err) {
      return { state: 'degraded', reason: (err as Error).message, listen: this.backend.listen, dnssec: false };
    }
  }
}

function soaSet(zone: string, soa: DnsSoa): PdnsRrset {
  const content = `${soa.primary} ${soa.contact} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
  return { name: `${zone}.`, type: 'SOA', ttl: soa.ttl, records: [{ content, disabled: false }] };
}

function toPdns(set: DnsRecordSet): PdnsRrset {
  return {
    name: `${set.name}.`,
    type: set.type,
    ttl: set.ttl,
    records: set.records.map((content) => ({ content, disabled: false })),
  };
}

function sameSet(a: PdnsRrset, b: PdnsRrset): boolean {
  if (a.ttl !== b.ttl || a.records.length !== b.records.length) return false;
  const left = a.records.map((r) => `${r.disabled ? '!' : ''}${r.content}`).sort();
  const right = b.records.map((r) => `${r.disabled ? '!' : ''}${r.content}`).sort();
  return left.every((v, i) => v === right[i]);
}

function plain(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function toState(name: string, zone: PdnsZone): DnsZoneState {
  const soa = zone.rrsets.find((s) => s.type === 'SOA')?.records[0]?.content;
  const serial = soa ? Number(soa.split(/\s+/)[2]) : zone.serial;
  const rrsets = zone.rrsets
    .filter((s) => !GENERATED.has(s.type))
    .map((s) => ({
      name: plain(s.name),
      type: s.type as DnsRecordType,
      ttl: s.ttl,
      records: s.records
        .filter((r) => !r.disabled)
        .map((r) => r.content)
        .sort(),
    }))
    .filter((s) => s.records.length > 0)
    .sort((a, b) => (a.name === b.name ? cmp(a.type, b.type) : cmp(a.name, b.name)));
  return { name, serial, rrsets };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseDs(text: string): DsRecord | null {
  const m = /^(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-fA-F]+)$/.exec(text.trim());
  if (!m) return null;
  return { keyTag: Number(m[1]), algorithm: Number(m[2]), digestType: Number(m[3]), digest: (m[4] as string).toUpperCase() };
}
