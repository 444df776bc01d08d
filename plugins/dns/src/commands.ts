/**
 * `hostplane dns …`: list zones, print one as a zone file, queue applies (repairs drift on the
 * server), and show a package's zone template. The CLI runs with the plugin set up, not started:
 * a running host's workers apply.
 */
import { CommonErrors, type CommandDefinition } from '@hostplane/sdk';
import type { DnsConfig } from './config.js';
import type { PackageTemplates } from './package-templates.js';
import { zoneName } from './records.js';
import { canonical, type DnsStore, type ZoneRow } from './store.js';
import { zoneFile, zoneSpec } from './zone-spec.js';
import type { ZonesService } from './zones-service.js';

export function dnsCommands<C, D>(
  store: DnsStore,
  service: ZonesService,
  config: () => DnsConfig,
  templates: PackageTemplates,
): CommandDefinition<C, D>[] {
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
      name: 'template',
      usage: '<package id> [domain]',
      description: "Print a package's zone template (and where it comes from), or the records it gives a domain",
      async run(args, io) {
        const [packageId, domain] = args;
        if (!packageId || !/^[0-9a-f-]{36}$/i.test(packageId)) throw CommonErrors.badRequest('name a package id', undefined);
        if (!(await store.db.knex.from('plugin_accounts.packages').where({ id: packageId }).first('id')))
          throw CommonErrors.notFound(`package ${packageId}`);
        if (domain) {
          const zone = zoneName(domain, 'domain', { allowReservedTlds: true });
          const resolved = await templates.resolve(packageId, zone);
          io.out(`; ${zone} from the ${resolved.source} template\n`);
          for (const r of resolved.records) io.out(`${r.name}.\t${r.ttl}\tIN\t${r.type}\t${r.content}\n`);
          for (const s of resolved.skipped) io.out(`; left out: record ${s.index + 1}: ${s.reason}\n`);
          return 0;
        }
        const template = await templates.effective(packageId);
        io.out(`; ${template.source} template\n`);
        for (const r of template.records)
          io.out(`${[r.name, ...(r.ttl !== undefined ? [String(r.ttl)] : []), r.type, r.data].join(' ')}\n`);
        return 0;
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
