/**
 * `hostplane dns …`: list zones, print one as a zone file, and queue applies (repairs drift on
 * the server). The CLI runs with the plugin set up, not started: a running host's workers apply.
 */
import { CommonErrors, type CommandDefinition } from '@hostplane/sdk';
import type { DnsConfig } from './config.js';
import { zoneName } from './records.js';
import { canonical, type DnsStore, type ZoneRow } from './store.js';
import { zoneFile, zoneSpec } from './zone-spec.js';
import type { ZonesService } from './zones-service.js';

export function dnsCommands<C, D>(store: DnsStore, service: ZonesService, config: () => DnsConfig): CommandDefinition<C, D>[] {
  const byName = async (arg: string | undefined): Promise<ZoneRow> => {
    if (!arg) throw CommonErrors.badRequest('name a zone', undefined);
    const name = zoneName(arg, 'zone', { allowReservedTlds: true });
    const zone = (await store.zones().where({ name }).first()) as ZoneRow | undefined;
    if (!zone) throw CommonErrors.notFound(`zone ${name}`);
    return zone;
  };
  return [
    {
      name: 'zones',
      description: 'List every zone with its serial and state',
      async run(_args, io) {
        const rows = (await store.zones().orderBy('name')) as ZoneRow[];
        for (const z of rows) {
          const state = z.applied_generation >= z.generation ? z.status : `${z.status} (not applied yet)`;
          io.out(`${z.name}\t${z.serial}\t${state}${z.status_reason ? `\t${z.status_reason}` : ''}\n`);
        }
        if (rows.length === 0) io.out('no zones\n');
      },
    },
    {
      name: 'export',
      usage: '<zone>',
      description: 'Print a zone in zone-file format',
      async run(args, io) {
        const zone = await byName(args[0]);
        const records = (await store.recordsOf(zone.id)).map(canonical);
        io.out(zoneFile(zoneSpec({ name: zone.name, serial: Number(zone.serial) }, records, config())));
      },
    },
    {
      name: 'reconcile',
      usage: '[zone ...]',
      description: 'Apply zones (all, or the named ones) to the DNS server again; a running host does it',
      async run(args, io) {
        const names = args.map((a) => zoneName(a, 'zone', { allowReservedTlds: true }));
        const ids = await store.db.transaction(async (trx) => {
          const q = store.zones(trx).where({ desired: 'present' });
          if (names.length) q.whereIn('name', names);
          const rows = (await q
            .update({ generation: trx.raw('generation + 1') as unknown as number, status: 'pending' })
            .returning('id')) as Array<{ id: string }>;
          for (const r of rows) await service.enqueueApply(r.id, trx);
          return rows.map((r) => r.id);
        });
        if (names.length && ids.length < names.length) {
          io.err(`only ${ids.length} of ${names.length} zone(s) exist\n`);
          return 1;
        }
        io.out(`${ids.length} zone(s) queued\n`);
        return 0;
      },
    },
  ];
}
