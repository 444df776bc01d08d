/**
 * Makes the DNS provider serve each zone's desired state. One apply per zone at a time (an
 * advisory lock held for the apply), always from the newest stored state, so coalesced or
 * repeated jobs are harmless. A zone the server refuses shows `error` with the server's words
 * and keeps its previously served content; an unreachable server is retried by the job and the
 * sweep.
 */
import { DnsZoneRejected, type DnsProvider, type Logger } from '@hostplane/sdk';
import type { DnsConfig } from './config.js';
import { canonical, type DnsStore, type ZoneRow } from './store.js';
import { zoneSpec } from './zone-spec.js';
import type { ZonesService } from './zones-service.js';

export interface ReconcilerDeps {
  store: DnsStore;
  service: ZonesService;
  providers: () => DnsProvider[];
  config: () => DnsConfig;
  logger: Logger;
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /** Apply one zone. Throws (so the job retries) when the provider is unreachable. */
  async apply(zoneId: string): Promise<void> {
    const { store } = this.deps;
    // Thrown after the commit, so the reason shown with the zone is kept.
    let retry: unknown = null;
    await store.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`hostplane:dns:apply:${zoneId}`]);
      const zone = (await store.zones(trx).where({ id: zoneId }).first()) as ZoneRow | undefined;
      if (!zone || zone.applied_generation >= zone.generation) return;
      const provider = this.deps.providers()[0];
      if (!provider) {
        // The sweep and plugin.enabled bring it back once a provider appears.
        await store.zones(trx).where({ id: zoneId }).update({ status_reason: 'waiting for a DNS provider plugin' });
        return;
      }
      try {
        if (zone.desired === 'deleted') {
          await provider.removeZone(zone.name);
          await store.zones(trx).where({ id: zoneId, generation: zone.generation }).delete();
          return;
        }
        const records = (await store.recordsOf(zone.id, trx)).map(canonical);
        await provider.applyZone(zoneSpec({ name: zone.name, serial: Number(zone.serial) }, records, this.deps.config()));
        let dnssec = await provider.getDnssec(zone.name);
        if (dnssec.enabled !== zone.dnssec) dnssec = await provider.setDnssec(zone.name, zone.dnssec);
        const ds = dnssec.ds.map((d) => ({ ...d, text: `${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest}` }));
        await store
          .zones(trx)
          .where({ id: zoneId })
          .update({
            applied_generation: zone.generation,
            status: 'active',
            status_reason: null,
            ds: JSON.stringify(ds) as unknown as [],
          });
      } catch (err) {
        const reason = (err as Error).message;
        if (DnsZoneRejected.is(err)) {
          await store.zones(trx).where({ id: zoneId }).update({ status: 'error', status_reason: reason });
          return;
        }
        await store.zones(trx).where({ id: zoneId }).update({ status_reason: reason });
        this.deps.logger.warn({ err, zone: zone.name }, 'DNS apply failed; retried');
        retry = err;
      }
    });
    if (retry) throw retry;
  }

  /** Queue every zone that is behind (not those the server refused: they wait for a change). */
  async sweep(): Promise<number> {
    const rows = (await this.deps.store
      .zones()
      .whereRaw('applied_generation < generation')
      .whereNot({ status: 'error' })
      .select('id')) as Array<{ id: string }>;
    for (const r of rows) await this.deps.service.enqueueApply(r.id);
    return rows.length;
  }
}
