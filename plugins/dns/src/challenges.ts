/**
 * The `dns-challenges` extension point: ACME DNS-01 TXT records in customers' zones, put and
 * removed by the platform for a certificate plugin. A challenge record is an ordinary record of
 * the zone's desired state (so the next apply keeps it) with an expiry, applied to the server at
 * once rather than through the queue (an order waits on it), and removed by its id: the apex's
 * and the wildcard's values, or two parallel orders', share one name and stay apart. Whatever an
 * order leaves behind (its process died) goes with the sweep once its expiry passed.
 * See docs/decisions/0056-dns-01-challenges-through-the-dns-plugin.md.
 */
import { Resolver } from 'node:dns/promises';
import {
  DnsChallengeRefused,
  DnsProviderUnavailable,
  type ClockService,
  type DnsChallengeInput,
  type DnsChallengeRecord,
  type DnsChallenges,
  type DnsProvider,
  type Logger,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { DnsConfig } from './config.js';
import { DnsErrors } from './errors.js';
import { assertFits, canonicalRecord, type CanonicalRecord } from './records.js';
import type { Reconciler } from './reconciler.js';
import { canonical, type DnsStore, type RecordRow, type ZoneRow } from './store.js';
import type { ZonesService } from './zones-service.js';

export interface ChallengesDeps {
  store: DnsStore;
  service: ZonesService;
  reconciler: Pick<Reconciler, 'apply'>;
  providers: () => DnsProvider[];
  clock: ClockService;
  config: () => DnsConfig;
  logger: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POLL_MS = 200;

/** `example.com` and every name above it but the TLD: the zones that could serve it. */
function candidates(domain: string): string[] {
  const labels = domain.split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

/** `host:port` to ask, from a provider's listen address (a wildcard bind is asked on loopback). */
export function queryAddress(listen: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]+)$/.exec(listen);
  if (!m) return listen;
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] as string;
  if (host === '0.0.0.0') return `127.0.0.1:${port}`;
  if (host === '::') return `[::1]:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class Challenges implements DnsChallenges {
  constructor(private readonly deps: ChallengesDeps) {}

  /** The live zone serving `domain` when `ownerId` owns it. */
  private async zoneRow(domain: string, ownerId: string): Promise<ZoneRow | null> {
    const name = domain.toLowerCase().replace(/\.$/, '');
    if (!/^[a-z0-9_.-]{1,253}$/.test(name) || !UUID.test(ownerId)) return null;
    const row = (await this.deps.store
      .zones()
      .whereIn('name', candidates(name))
      .where({ desired: 'present' })
      .orderByRaw('length(name) desc')
      .first()) as ZoneRow | undefined;
    return row && row.owner_id === ownerId ? row : null;
  }

  async zoneOf(domain: string, ownerId: string): Promise<string | null> {
    return (await this.zoneRow(domain, ownerId))?.name ?? null;
  }

  async put(input: DnsChallengeInput): Promise<DnsChallengeRecord> {
    const { service, config } = this.deps;
    const zone = await this.zoneRow(input.domain, input.ownerId);
    if (!zone) throw DnsChallengeRefused(input.domain, "no zone of the site's owner on this platform's DNS serves it");
    if (!/^[\x21-\x7e]{1,255}$/.test(input.value))
      throw DnsChallengeRefused(input.domain, 'the value is not one printable string');
    const c = config();
    const policy = { minTtl: c.minTtl, maxTtl: c.maxTtl, allowReservedTlds: c.allowReservedTlds };
    let row: RecordRow;
    try {
      row = await service.change(null, zone.id, async (z, records, trx) => {
        const rec: CanonicalRecord = canonicalRecord(
          { name: `_acme-challenge.${input.domain.toLowerCase().replace(/\.$/, '')}.`, type: 'TXT', data: input.value },
          z.name,
          policy,
          c.minTtl,
        );
        const same = records.find((r) => r.name === rec.name && r.type === 'TXT' && r.content === rec.content);
        if (same) {
          // The same value again (an authorization the CA reused): keep it, for the later expiry.
          if (same.expires_at && same.expires_at < input.expiresAt) {
            await this.deps.store.records(trx).where({ id: same.id }).update({ expires_at: input.expiresAt });
          }
          return same;
        }
        if (records.length >= c.maxRecordsPerZone) throw DnsErrors.tooManyRecords(c.maxRecordsPerZone);
        // A set has one TTL: join the set's own when values are already there.
        rec.ttl = records.find((r) => r.name === rec.name && r.type === 'TXT')?.ttl ?? rec.ttl;
        assertFits(rec, records.map(canonical), z.name);
        const [inserted] = (await this.deps.store
          .records(trx)
          .insert({ zone_id: z.id, ...rec, expires_at: input.expiresAt })
          .returning('*')) as RecordRow[];
        await service.bump(z, trx);
        return inserted as RecordRow;
      });
    } catch (err) {
      if (DnsErrors.invalid.is(err) || DnsErrors.deleting.is(err) || DnsErrors.tooManyRecords.is(err)) {
        throw DnsChallengeRefused(input.domain, (err as Error).message);
      }
      throw err;
    }
    await this.applyNow(zone.id);
    return { id: row.id, zone: zone.name, name: row.name, value: input.value };
  }

  /**
   * Apply the zone now instead of waiting for its job (an order waits on the answer). A failure
   * is left to the job the change enqueued; waitServed reports it as a timeout.
   */
  private async applyNow(zoneId: string): Promise<void> {
    try {
      await this.deps.reconciler.apply(zoneId);
    } catch (err) {
      this.deps.logger.warn({ err, zoneId }, 'challenge record not applied yet; its job retries');
    }
  }

  async waitServed(record: DnsChallengeRecord, timeoutMs: number): Promise<void> {
    const provider = this.deps.providers()[0];
    if (!provider) throw DnsProviderUnavailable('no DNS provider plugin is enabled');
    const { listen } = await provider.status();
    const answers = listen ? this.askServer(queryAddress(listen)) : this.askProvider(provider);
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      try {
        if ((await answers(record)).includes(record.value)) return;
        last = 'the value is not served yet';
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() + POLL_MS > deadline) {
        throw new Error(`the DNS server did not answer ${record.name} TXT within ${Math.round(timeoutMs / 1000)} s (${last})`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async whenServed(domain: string, ownerId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'its changes are not applied yet';
    for (;;) {
      const zone = await this.zoneRow(domain, ownerId);
      if (!zone) return;
      if (zone.applied_generation >= zone.generation) {
        const served = await this.servedSerial(zone.name).catch((err: Error) => err);
        if (served === undefined || (typeof served === 'number' && served >= Number(zone.serial))) return;
        last = served instanceof Error ? served.message : `it serves serial ${served}, not ${zone.serial} yet`;
      }
      if (Date.now() + POLL_MS > deadline) {
        throw new Error(`the DNS server did not serve ${zone.name} within ${Math.round(timeoutMs / 1000)} s (${last})`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** The SOA serial the zone's server answers, asked directly; undefined when the provider does not say where it listens. */
  private async servedSerial(zone: string): Promise<number | undefined> {
    const provider = this.deps.providers()[0];
    if (!provider) throw DnsProviderUnavailable('no DNS provider plugin is enabled');
    const { listen } = await provider.status();
    if (!listen) return undefined;
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([queryAddress(listen)]);
    return (await resolver.resolveSoa(zone)).serial;
  }

  /** TXT values the authoritative server answers, asked directly (no resolver, no cache). */
  private askServer(address: string): (record: DnsChallengeRecord) => Promise<string[]> {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([address]);
    return async (record) => {
      try {
        return (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
      } catch (err) {
        if ((err as { code?: string }).code === 'ENODATA' || (err as { code?: string }).code === 'ENOTFOUND') return [];
        throw err;
      }
    };
  }

  /** A provider that does not say where it answers (an external server): what it reports serving. */
  private askProvider(provider: DnsProvider): (record: DnsChallengeRecord) => Promise<string[]> {
    return async (record) => {
      const zone = await provider.getZone(record.zone);
      const set = zone?.rrsets.find((s) => s.name === record.name && s.type === 'TXT');
      return (set?.records ?? []).map((r) => r.replace(/^"|"$/g, ''));
    };
  }

  async remove(record: DnsChallengeRecord): Promise<void> {
    if (!UUID.test(record.id)) return;
    const zone = (await this.deps.store.zones().where({ name: record.zone }).first()) as ZoneRow | undefined;
    if (!zone) return;
    // Only challenge records (with an expiry): a value the customer wrote themselves stays.
    const removed = await this.platformChange(zone.id, async (z, trx) => {
      const n = await this.deps.store.records(trx).where({ id: record.id, zone_id: z.id }).whereNotNull('expires_at').delete();
      if (n > 0) await this.deps.service.bump(z, trx);
      return n;
    });
    if (removed > 0) await this.applyNow(zone.id);
  }

  /** A change by the platform; a zone being deleted takes its records along, so nothing to do. */
  private async platformChange(zoneId: string, fn: (zone: ZoneRow, trx: Knex.Transaction) => Promise<number>): Promise<number> {
    try {
      return await this.deps.service.change(null, zoneId, (z, _records, trx) => fn(z, trx));
    } catch (err) {
      if (DnsErrors.deleting.is(err) || DnsErrors.zoneNotFound.is(err)) return 0;
      throw err;
    }
  }

  /** Remove challenge records whose expiry passed (their order died); one serial step per zone. */
  async expire(): Promise<number> {
    const { store, service, clock } = this.deps;
    const now = clock.now();
    const zones = (await store.records().whereNotNull('expires_at').where('expires_at', '<=', now).distinct('zone_id')) as Array<{
      zone_id: string;
    }>;
    let total = 0;
    for (const { zone_id: zoneId } of zones) {
      total += await this.platformChange(zoneId, async (z, trx) => {
        const n = await store.records(trx).where({ zone_id: z.id }).where('expires_at', '<=', now).delete();
        if (n > 0) await service.bump(z, trx);
        return n;
      });
    }
    if (total > 0) this.deps.logger.info({ removed: total }, 'expired ACME challenge records removed');
    return total;
  }
}
