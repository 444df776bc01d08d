/**
 * Changes to zones and records. Each change runs in one transaction that locks the zone row
 * (so rules that look at the zone's other records, like CNAME exclusivity, hold under parallel
 * requests), moves the SOA serial, bumps the generation and enqueues the apply job: a change
 * either exists with its apply queued or does not exist at all.
 */
import type { Actor, ClockService, JobsService, Logger, TenancyService, UsersService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { DnsConfig } from './config.js';
import { DnsErrors } from './errors.js';
import { assertFits, canonicalRecord, zoneName, type CanonicalRecord, type RecordInput } from './records.js';
import { canonical, type DnsStore, type RecordRow, type ZoneRow } from './store.js';
import type { PackageTemplates } from './package-templates.js';
import { parseZoneFile } from './zone-import.js';
import { nextSerial } from './zone-spec.js';

export const APPLY_JOB = 'apply-zone';

/** Serialises zone creation platform-wide: the overlap rule looks at other zones' names. */
const CREATE_LOCK = 'hostplane:dns:create-zone';

export interface ZonesServiceDeps {
  store: DnsStore;
  tenancy: TenancyService;
  users: Pick<UsersService, 'get'>;
  jobs: JobsService;
  clock: ClockService;
  config: () => DnsConfig;
  logger: Logger;
  templates: PackageTemplates;
}

export interface CreateZoneInput {
  name: string;
  ownerId?: string;
  /** Start from the template (default true): the owner's package's, else the platform's. */
  template?: boolean;
}

export interface CreateZoneOptions {
  /** The website.created path: also refuse when a zone of the same owner overlaps. */
  auto?: boolean;
  /** The package whose template applies (a website's subscription's); default: the owner's newest live one. */
  packageId?: string | null;
}

/** Every name a zone could sit under: `a.b.example.com` → `b.example.com`, `example.com`, `com`. */
function ancestors(name: string): string[] {
  const labels = name.split('.');
  return labels.slice(1).map((_, i) => labels.slice(i + 1).join('.'));
}

export class ZonesService {
  constructor(private readonly deps: ZonesServiceDeps) {}

  private get policy() {
    const c = this.deps.config();
    return { minTtl: c.minTtl, maxTtl: c.maxTtl, allowReservedTlds: c.allowReservedTlds };
  }

  enqueueApply(zoneId: string, trx?: Knex.Transaction): Promise<{ id: string }> {
    return this.deps.jobs.enqueue(APPLY_JOB, { zoneId }, { jobKey: `dns:zone:${zoneId}`, ...(trx ? { trx } : {}) });
  }

  /**
   * Create a zone for `ownerId` (default: the actor). `auto` (the website.created path) also
   * refuses when a zone of the same owner overlaps: their own zone already answers for the name.
   */
  async createZone(actor: Actor, input: CreateZoneInput, options: CreateZoneOptions = {}): Promise<ZoneRow> {
    const { store } = this.deps;
    const name = zoneName(input.name, '/body/name', this.policy);
    const ownerId = input.ownerId ?? actor.userId;
    if (input.ownerId !== undefined && input.ownerId !== actor.userId) {
      const owner = await this.deps.users.get(input.ownerId);
      if (!owner || owner.role === 'technical_user' || !(await this.deps.tenancy.canAccessUser(actor, input.ownerId))) {
        throw DnsErrors.ownerInvalid(input.ownerId);
      }
    }
    let records: CanonicalRecord[] = [];
    if (input.template !== false) {
      const { templates } = this.deps;
      const packageId = options.packageId !== undefined ? options.packageId : await templates.packageOfUser(ownerId);
      const resolved = await templates.resolve(packageId, name);
      // A record that does not fit this zone (a name too long for it) is left out, not the zone.
      if (resolved.skipped.length) this.deps.logger.warn({ zone: name, skipped: resolved.skipped }, 'template records left out');
      records = resolved.records;
    }
    return store.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [CREATE_LOCK]);
      if (await store.zones(trx).where({ name }).first()) throw DnsErrors.zoneTaken(name);
      const overlap = (await store
        .zones(trx)
        .where((q) => {
          q.whereIn('name', ancestors(name)).orWhere('name', 'like', `%.${name}`);
        })
        .modify((q) => {
          if (!options.auto) q.whereNot({ owner_id: ownerId });
        })
        .orderBy('name')
        .first()) as ZoneRow | undefined;
      if (overlap) throw DnsErrors.zoneCovered(name, overlap.owner_id === ownerId ? overlap.name : 'another account');
      const [zone] = (await store
        .zones(trx)
        .insert({ name, owner_id: ownerId, serial: nextSerial(0, this.deps.clock.now()) })
        .returning('*')) as ZoneRow[];
      const row = zone as ZoneRow;
      if (records.length) await store.records(trx).insert(records.map((r) => ({ zone_id: row.id, ...r })));
      await this.enqueueApply(row.id, trx);
      return row;
    });
  }

  async deleteZone(actor: Actor, id: string): Promise<ZoneRow> {
    return this.change(
      actor,
      id,
      async (zone, _records, trx) => {
        const [row] = (await this.deps.store
          .zones(trx)
          .where({ id: zone.id })
          .update({
            desired: 'deleted',
            status: 'deleting',
            status_reason: null,
            generation: zone.generation + 1,
            updated_at: trx.fn.now(),
          })
          .returning('*')) as ZoneRow[];
        await this.enqueueApply(zone.id, trx);
        return row as ZoneRow;
      },
      false,
    );
  }

  async setDnssec(actor: Actor, id: string, enabled: boolean): Promise<ZoneRow> {
    return this.change(
      actor,
      id,
      async (zone, _records, trx) => {
        if (zone.dnssec === enabled) return zone;
        return this.bump(zone, trx, { dnssec: enabled, ds: JSON.stringify([]) as unknown as [] }, false);
      },
      false,
    );
  }

  async addRecord(actor: Actor, zoneId: string, input: RecordInput): Promise<RecordRow> {
    return this.change(actor, zoneId, async (zone, records, trx) => {
      const config = this.deps.config();
      if (records.length >= config.maxRecordsPerZone) throw DnsErrors.tooManyRecords(config.maxRecordsPerZone);
      const rec = canonicalRecord(input, zone.name, this.policy, config.defaultTtl);
      assertFits(rec, records.map(canonical), zone.name);
      const [row] = (await this.deps.store
        .records(trx)
        .insert({ zone_id: zone.id, ...rec })
        .returning('*')) as RecordRow[];
      await this.syncTtl(zone.id, rec, trx);
      await this.bump(zone, trx);
      return row as RecordRow;
    });
  }

  async updateRecord(actor: Actor, zoneId: string, recordId: string, input: Partial<RecordInput>): Promise<RecordRow> {
    return this.change(actor, zoneId, async (zone, records, trx) => {
      const old = records.find((r) => r.id === recordId);
      if (!old) throw DnsErrors.recordNotFound(recordId);
      const relative = old.name === zone.name ? '@' : `${old.name}.`;
      const rec = canonicalRecord(
        { name: input.name ?? relative, type: old.type, ttl: input.ttl ?? old.ttl, data: input.data ?? old.content },
        zone.name,
        this.policy,
        this.deps.config().defaultTtl,
      );
      assertFits(rec, records.filter((r) => r.id !== recordId).map(canonical), zone.name);
      const [row] = (await this.deps.store.records(trx).where({ id: recordId }).update(rec).returning('*')) as RecordRow[];
      await this.syncTtl(zone.id, rec, trx);
      await this.bump(zone, trx);
      return row as RecordRow;
    });
  }

  /**
   * Records from a zone file, replacing the zone's records (or added to them with
   * `replace: false`), checked as if added one by one; one serial step. A bad line is a 400 on
   * `/body/zoneFile` naming the line, and nothing is written.
   */
  async importZone(actor: Actor, zoneId: string, text: string, replace = true): Promise<RecordRow[]> {
    return this.change(actor, zoneId, async (zone, records, trx) => {
      const config = this.deps.config();
      // Challenge records (an ACME order in flight) are the platform's, not the file's: they stay.
      const kept = (replace ? records.filter((r) => r.expires_at !== null) : records).map(canonical);
      const added: CanonicalRecord[] = [];
      for (const input of parseZoneFile(text, zone.name, config.defaultTtl)) {
        try {
          const rec = canonicalRecord(input, zone.name, this.policy, config.defaultTtl);
          // A set shares one TTL: the file's last word on it wins, as when adding one by one.
          const exact = added.find((r) => r.name === rec.name && r.type === rec.type && r.content === rec.content);
          if (!exact) assertFits(rec, [...kept, ...added], zone.name);
          for (const r of added) if (r.name === rec.name && r.type === rec.type) r.ttl = rec.ttl;
          if (!exact) added.push(rec);
        } catch (err) {
          if (DnsErrors.invalid.is(err)) throw DnsErrors.invalid('/body/zoneFile', `line ${input.line}: ${err.message}`);
          throw err;
        }
      }
      if (kept.length + added.length > config.maxRecordsPerZone) throw DnsErrors.tooManyRecords(config.maxRecordsPerZone);
      if (replace) await this.deps.store.records(trx).where({ zone_id: zone.id }).whereNull('expires_at').delete();
      if (added.length) await this.deps.store.records(trx).insert(added.map((r) => ({ zone_id: zone.id, ...r })));
      for (const r of added) await this.syncTtl(zone.id, r, trx);
      await this.bump(zone, trx);
      return this.deps.store.recordsOf(zone.id, trx);
    });
  }

  /**
   * Replace the zone's records with what its owner's package's template gives it now (challenge
   * records of an ACME order in flight stay); one serial step. Templates never rewrite zones on
   * their own: this is the explicit way back to one.
   */
  async resetToTemplate(actor: Actor, zoneId: string): Promise<RecordRow[]> {
    return this.change(actor, zoneId, async (zone, records, trx) => {
      const { templates } = this.deps;
      const resolved = await templates.resolve(await templates.packageOfUser(zone.owner_id, trx), zone.name, trx);
      const kept = records.filter((r) => r.expires_at !== null).map(canonical);
      const added: CanonicalRecord[] = [];
      for (const rec of resolved.records) {
        try {
          assertFits(rec, [...kept, ...added], zone.name);
          added.push(rec);
        } catch (err) {
          if (!DnsErrors.invalid.is(err)) throw err;
        }
      }
      await this.deps.store.records(trx).where({ zone_id: zone.id }).whereNull('expires_at').delete();
      if (added.length) await this.deps.store.records(trx).insert(added.map((r) => ({ zone_id: zone.id, ...r })));
      for (const r of added) await this.syncTtl(zone.id, r, trx);
      await this.bump(zone, trx);
      return this.deps.store.recordsOf(zone.id, trx);
    });
  }

  async deleteRecord(actor: Actor, zoneId: string, recordId: string): Promise<void> {
    await this.change(actor, zoneId, async (zone, records, trx) => {
      if (!records.some((r) => r.id === recordId)) throw DnsErrors.recordNotFound(recordId);
      await this.deps.store.records(trx).where({ id: recordId }).delete();
      await this.bump(zone, trx);
    });
  }

  /**
   * Run `fn` on the locked zone and its records, in one transaction. `actor` null: the platform
   * itself (challenge records), which reaches every zone.
   */
  async change<T>(
    actor: Actor | null,
    zoneId: string,
    fn: (zone: ZoneRow, records: RecordRow[], trx: Knex.Transaction) => Promise<T>,
    refuseDeleting = true,
  ): Promise<T> {
    const { store } = this.deps;
    return store.db.transaction(async (trx) => {
      const zone = actor ? await store.scopedOne(actor, zoneId, trx, true) : await store.lockedOne(zoneId, trx);
      if (zone.desired === 'deleted') {
        if (refuseDeleting) throw DnsErrors.deleting(zone.name);
        return zone as unknown as T;
      }
      return fn(zone, await store.recordsOf(zone.id, trx), trx);
    });
  }

  /** A set has one TTL: the one just written applies to its other records too. */
  private async syncTtl(zoneId: string, rec: CanonicalRecord, trx: Knex.Transaction): Promise<void> {
    await this.deps.store
      .records(trx)
      .where({ zone_id: zoneId, name: rec.name, type: rec.type })
      .whereNot({ ttl: rec.ttl })
      .update({ ttl: rec.ttl });
  }

  /** A new serial and generation, and the apply job, for a changed zone. */
  async bump(zone: ZoneRow, trx: Knex.Transaction, extra: Partial<ZoneRow> = {}, serial = true): Promise<ZoneRow> {
    const [row] = (await this.deps.store
      .zones(trx)
      .where({ id: zone.id })
      .update({
        ...extra,
        ...(serial ? { serial: nextSerial(Number(zone.serial), this.deps.clock.now()) } : {}),
        generation: zone.generation + 1,
        status: 'pending',
        status_reason: null,
        updated_at: trx.fn.now() as unknown as Date,
      })
      .returning('*')) as ZoneRow[];
    await this.enqueueApply(zone.id, trx);
    return row as ZoneRow;
  }
}
