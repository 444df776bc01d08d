/**
 * The `DnsProvider` over RFC 2136: reads by zone transfer (AXFR, TSIG-signed, `dig`), changes by
 * one dynamic UPDATE message per apply (TSIG-signed, `nsupdate`), which the server applies
 * all-or-nothing. A zone the server does not have yet is created through the managed server's
 * control channel (`rndc addzone`) from a zone file with its full content: RFC 2136 has no way
 * to create a zone. DNSSEC is BIND's own `dnssec-policy default` (one ECDSA P-256 key signing
 * the zone, kept and rolled by named), switched per zone through the control channel; the DS
 * records are computed from the DNSKEYs the server publishes (dnssec-ds.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DnsProviderUnavailable,
  DnsZoneNotFound,
  DnsZoneRejected,
  type DnsProvider,
  type DnsProviderStatus,
  type DnsRecordSet,
  type DnsRecordType,
  type DnssecState,
  type DnsZoneSpec,
  type DnsZoneState,
} from '@hostplane/sdk';
import { dsOf } from './dnssec-ds.js';
import { run } from './exec.js';
import type { ManagedNamed } from './named.js';

export interface Rfc2136Options {
  named: ManagedNamed;
  server: string;
  port: number;
  digBinary: string;
  nsupdateBinary: string;
  /** Null when the server is running; else why not. */
  unavailable: () => string | null;
}

const NOT_SERVED = new Set(['SOA', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'CDS', 'CDNSKEY', 'TYPE65534']);
/** Characters a zone name sent to a tool may hold (the dns plugin allows fewer). */
const SAFE_NAME = /^[a-z0-9*_.-]{1,253}$/;

interface Transfer {
  serial: number;
  soa: DnsZoneSpec['soa'];
  sets: DnsRecordSet[];
}

/** How long named may take to publish a new zone's first DNSKEY (it signs in the background). */
const SIGNING_WAIT_MS = 20_000;

export class Rfc2136Provider implements DnsProvider {
  readonly id = 'rfc2136';

  constructor(private readonly o: Rfc2136Options) {}

  private check(): void {
    const why = this.o.unavailable();
    if (why !== null) throw DnsProviderUnavailable(why);
  }

  async applyZone(zone: DnsZoneSpec): Promise<void> {
    this.check();
    safe(zone.name);
    const current = await this.transfer(zone.name);
    if (!current) {
      await this.create(zone);
      return;
    }
    const byKey = new Map(current.sets.map((s) => [`${s.name}/${s.type}`, s]));
    const lines: string[] = [];
    for (const set of zone.rrsets) {
      safe(set.name);
      const old = byKey.get(`${set.name}/${set.type}`);
      byKey.delete(`${set.name}/${set.type}`);
      if (old && old.ttl === set.ttl && [...old.records].sort().join('\n') === [...set.records].sort().join('\n')) continue;
      lines.push(`update delete ${set.name}. ${set.type}`);
      for (const content of set.records) lines.push(`update add ${set.name}. ${set.ttl} ${set.type} ${oneLine(content)}`);
    }
    for (const old of byKey.values()) lines.push(`update delete ${old.name}. ${old.type}`);
    const s = zone.soa;
    if (lines.length === 0 && current.serial === s.serial) return;
    lines.push(
      `update add ${zone.name}. ${s.ttl} SOA ${s.primary} ${s.contact} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`,
    );
    const script = [`server ${this.o.server} ${this.o.port}`, `zone ${zone.name}.`, ...lines, 'send', ''].join('\n');
    const r = await run(this.o.nsupdateBinary, ['-y', this.o.named.tsig(), '-t', '10'], script);
    if (r.code !== 0)
      throw DnsZoneRejected(
        zone.name,
        (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ') || `nsupdate exited ${r.code}`,
      );
  }

  async getZone(name: string): Promise<DnsZoneState | null> {
    this.check();
    const t = await this.transfer(safe(name));
    return t ? { name, serial: t.serial, rrsets: t.sets } : null;
  }

  async listZones(): Promise<string[]> {
    this.check();
    const files = await fs.readdir(this.o.named.zoneDir).catch(() => [] as string[]);
    return files
      .filter((f) => f.endsWith('.db'))
      .map((f) => f.slice(0, -3))
      .sort();
  }

  async removeZone(name: string): Promise<void> {
    this.check();
    safe(name);
    if (!(await this.listZones()).includes(name)) return;
    const r = await this.o.named.rndc(['delzone', '-clean', name]);
    if (r.code !== 0 && !/not found/.test(r.stderr + r.stdout))
      throw DnsProviderUnavailable(`rndc delzone ${name}: ${r.stderr.trim()}`);
    await fs.rm(path.join(this.o.named.zoneDir, `${name}.db`), { force: true });
    await fs.rm(path.join(this.o.named.zoneDir, `${name}.db.jnl`), { force: true });
  }

  async setDnssec(name: string, enabled: boolean): Promise<DnssecState> {
    this.check();
    const current = await this.transfer(safe(name));
    if (!current) throw DnsZoneNotFound(name);
    const signed = await this.isSigned(name);
    if (enabled) {
      if (!signed) {
        const r = await this.o.named.rndc(['modzone', name, zoneConf(name, true)]);
        if (r.code !== 0) throw DnsZoneRejected(name, `rndc modzone: ${(r.stderr || r.stdout).trim()}`);
      }
      const end = Date.now() + SIGNING_WAIT_MS;
      for (;;) {
        const ds = await this.ds(name);
        if (ds.length > 0) return { enabled: true, ds };
        if (Date.now() > end)
          throw DnsProviderUnavailable(`named published no DNSKEY for ${name} within ${SIGNING_WAIT_MS / 1000} s`);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    if (signed) {
      // named takes a signed zone back to unsigned only through its key TTLs ("insecure", hours
      // to days); off means off now, so the zone is made again from its records, unsigned, one
      // serial on, and its keys are deleted.
      await this.removeZone(name);
      await this.removeKeys(name);
      await this.create({ name, soa: { ...current.soa, serial: current.serial + 1 }, rrsets: current.sets });
    }
    return { enabled: false, ds: [] };
  }

  async getDnssec(name: string): Promise<DnssecState> {
    this.check();
    if (!(await this.transfer(safe(name)))) throw DnsZoneNotFound(name);
    if (!(await this.isSigned(name))) return { enabled: false, ds: [] };
    return { enabled: true, ds: await this.ds(name) };
  }

  /** Whether the zone's configuration on the server has a DNSSEC policy. */
  private async isSigned(name: string): Promise<boolean> {
    const r = await this.o.named.rndc(['showzone', name]);
    if (r.code !== 0) throw DnsProviderUnavailable(`rndc showzone ${name}: ${(r.stderr || r.stdout).trim()}`);
    return /dnssec-policy\s+"?default"?/.test(r.stdout);
  }

  /** DS records of the zone's key-signing keys, as the server publishes them. */
  private async ds(name: string): Promise<DnssecState['ds']> {
    const r = await run(this.o.digBinary, [
      `@${this.o.server}`,
      '-p',
      String(this.o.port),
      'DNSKEY',
      `${name}.`,
      '+noall',
      '+answer',
      '+time=5',
      '+tries=1',
    ]);
    if (r.code !== 0) throw DnsProviderUnavailable(`dig DNSKEY ${name}: ${r.stderr.trim() || r.code}`);
    const keys = r.stdout
      .split('\n')
      .map((line) => /^\S+\s+\d+\s+IN\s+DNSKEY\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({
        flags: Number(m[1]),
        protocol: Number(m[2]),
        algorithm: Number(m[3]),
        publicKey: (m[4] as string).replace(/\s+/g, ''),
      }));
    return dsOf(name, keys);
  }

  /** The key files named keeps for a zone in its directory (`K<zone>.+<alg>+<tag>.*`). */
  private async removeKeys(name: string): Promise<void> {
    const files = await fs.readdir(this.o.named.zoneDir).catch(() => [] as string[]);
    const prefix = `K${name}.+`;
    await Promise.all(
      files.filter((f) => f.startsWith(prefix)).map((f) => fs.rm(path.join(this.o.named.zoneDir, f), { force: true })),
    );
  }

  async status(): Promise<DnsProviderStatus> {
    const listen = `${this.o.server}:${this.o.port}`;
    const why = this.o.unavailable();
    if (why !== null) return { state: 'degraded', reason: why, listen, dnssec: false };
    const r = await this.o.named.rndc(['status']);
    if (r.code !== 0) return { state: 'degraded', reason: `rndc status: ${r.stderr.trim() || r.code}`, listen, dnssec: false };
    return { state: 'ready', reason: null, listen, dnssec: true };
  }

  /** A new zone: its whole content as a zone file, checked, then added to the running server. */
  private async create(zone: DnsZoneSpec): Promise<void> {
    const file = path.join(this.o.named.zoneDir, `${zone.name}.db`);
    const s = zone.soa;
    const lines = [
      `$ORIGIN ${zone.name}.`,
      `@ ${s.ttl} IN SOA ${s.primary} ${s.contact} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`,
      ...zone.rrsets.flatMap((set) => set.records.map((c) => `${safe(set.name)}. ${set.ttl} IN ${set.type} ${oneLine(c)}`)),
    ];
    const tmp = `${file}.new`;
    await fs.writeFile(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
    const check = await run('/usr/bin/named-checkzone', ['-k', 'fail', '-n', 'fail', zone.name, tmp]);
    if (check.code !== 0 && check.code !== 127) {
      await fs.rm(tmp, { force: true });
      throw DnsZoneRejected(zone.name, (check.stdout || check.stderr).trim().split('\n')[0] ?? 'zone file refused');
    }
    await fs.rename(tmp, file);
    const r = await this.o.named.rndc(['addzone', zone.name, zoneConf(zone.name, false)]);
    if (r.code !== 0) {
      await fs.rm(file, { force: true });
      throw DnsZoneRejected(zone.name, `rndc addzone: ${(r.stderr || r.stdout).trim()}`);
    }
    // addzone returns once the zone is loaded; a transfer proves it is served.
    for (let i = 0; i < 100 && !(await this.transfer(zone.name)); i++) await new Promise((res) => setTimeout(res, 20));
  }

  /** AXFR through dig with TSIG: null when the server has no such zone. */
  private async transfer(zone: string): Promise<Transfer | null> {
    const r = await run(this.o.digBinary, [
      `@${this.o.server}`,
      '-p',
      String(this.o.port),
      '-y',
      this.o.named.tsig(),
      'AXFR',
      `${zone}.`,
      '+onesoa',
      '+nocmd',
      '+nostats',
      '+nocomments',
      '+time=5',
      '+tries=1',
    ]);
    if (r.code !== 0 && r.code !== 9) throw DnsProviderUnavailable(`dig AXFR ${zone}: ${r.stderr.trim() || r.code}`);
    if (/Transfer failed|; communications error|connection refused/i.test(r.stdout + r.stderr)) {
      if (/connection refused|timed out/i.test(r.stdout + r.stderr))
        throw DnsProviderUnavailable(`no DNS server at ${this.o.server}:${this.o.port}`);
      return null;
    }
    let serial = 0;
    let soa: DnsZoneSpec['soa'] | undefined;
    const sets = new Map<string, DnsRecordSet>();
    for (const line of r.stdout.split('\n')) {
      const m = /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(line.trim());
      if (!m) continue;
      const name = (m[1] as string).replace(/\.$/, '').toLowerCase();
      const type = m[3] as string;
      const content = (m[4] as string).trim();
      if (type === 'SOA') {
        const [primary = '', contact = '', ...numbers] = content.split(/\s+/);
        const [soaSerial, refresh, retry, expire, minimum] = numbers.map(Number) as [number, number, number, number, number];
        serial = soaSerial;
        soa = { ttl: Number(m[2]), primary, contact, serial, refresh, retry, expire, minimum };
        continue;
      }
      if (NOT_SERVED.has(type)) continue;
      const key = `${name}/${type}`;
      const set = sets.get(key) ?? { name, type: type as DnsRecordType, ttl: Number(m[2]), records: [] };
      set.records.push(type === 'AAAA' ? content.toLowerCase() : content);
      sets.set(key, set);
    }
    if (serial === 0 || !soa) return null;
    const rrsets = [...sets.values()]
      .map((s) => ({ ...s, records: s.records.sort() }))
      .sort((a, b) => (a.name === b.name ? cmp(a.type, b.type) : cmp(a.name, b.name)));
    return { serial, soa, sets: rrsets };
  }
}

/** A zone's configuration on the server: updates and transfers by our TSIG key, signed or not. */
function zoneConf(name: string, signed: boolean): string {
  const dnssec = signed ? ' dnssec-policy default;' : '';
  return `{ type primary; file "${name}.db"; allow-update { key "hostplane-update"; }; allow-transfer { key "hostplane-update"; };${dnssec} };`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safe(name: string): string {
  if (!SAFE_NAME.test(name)) throw DnsZoneRejected(name, 'not a plain DNS name');
  return name;
}

/** A newline would end an nsupdate command or a zone-file line early. */
function oneLine(content: string): string {
  if (/[\r\n\0]/.test(content)) throw DnsZoneRejected('(record)', 'record data cannot hold line breaks');
  return content;
}
