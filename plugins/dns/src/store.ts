/** The dns tables: rows as stored, the API views, and scoped reads (foreign ids read as missing). */
import { Type, type Actor, type DatabaseService, type DnsRecordType, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { DnsErrors } from './errors.js';
import type { CanonicalRecord } from './records.js';

export interface ZoneRow {
  id: string;
  name: string;
  owner_id: string;
  serial: string | number;
  status: 'pending' | 'active' | 'error' | 'deleting';
  status_reason: string | null;
  desired: 'present' | 'deleted';
  dnssec: boolean;
  ds: DsView[];
  generation: number;
  applied_generation: number;
  created_at: Date;
  updated_at: Date;
}

export interface RecordRow {
  id: string;
  zone_id: string;
  name: string;
  type: DnsRecordType;
  ttl: number;
  content: string;
  /** Challenge records only: removed by the sweep at this time if nobody removed them before. */
  expires_at: Date | null;
  created_at: Date;
}

const DsSchema = Type.Object({
  keyTag: Type.Integer(),
  algorithm: Type.Integer(),
  digestType: Type.Integer(),
  digest: Type.String(),
  text: Type.String({ description: 'As a registry takes it: "<key tag> <algorithm> <digest type> <digest>"' }),
});
type DsView = Static<typeof DsSchema>;

export const RecordSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ description: 'Full owner name, ASCII, no trailing dot' }),
  type: Type.String(),
  ttl: Type.Integer(),
  data: Type.String({ description: 'Presentation format as served (host names end in a dot, TXT in quoted strings)' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'ACME challenge records only: removed automatically by then at the latest',
  }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ZoneSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  ownerId: Type.String({ format: 'uuid' }),
  serial: Type.Integer({ description: 'SOA serial; moves with each change' }),
  status: Type.String({ enum: ['pending', 'active', 'error', 'deleting'] }),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  converged: Type.Boolean({ description: 'The DNS server serves the latest change' }),
  dnssec: Type.Object({ enabled: Type.Boolean(), ds: Type.Array(DsSchema) }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  records: Type.Optional(Type.Array(RecordSchema)),
});
export type ZoneView = Static<typeof ZoneSchema>;

export function recordView(r: RecordRow) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    data: r.content,
    expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
  };
}

export function zoneView(z: ZoneRow, records?: RecordRow[]): ZoneView {
  const view: ZoneView = {
    id: z.id,
    name: z.name,
    ownerId: z.owner_id,
    serial: Number(z.serial),
    status: z.status,
    statusReason: z.status_reason,
    converged: z.applied_generation >= z.generation,
    dnssec: { enabled: z.dnssec, ds: z.dnssec ? z.ds : [] },
    createdAt: z.created_at.toISOString(),
    updatedAt: z.updated_at.toISOString(),
  };
  if (records) view.records = records.map(recordView);
  return view;
}

export function canonical(r: RecordRow): CanonicalRecord {
  return { name: r.name, type: r.type, ttl: r.ttl, content: r.content };
}

export class DnsStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  zones(trx?: Knex.Transaction) {
    return this.db.table<ZoneRow>('zones', trx);
  }

  records(trx?: Knex.Transaction) {
    return this.db.table<RecordRow>('records', trx);
  }

  /** Zones the actor may see (own or subtree). */
  scoped(actor: Pick<Actor, 'userId' | 'role'>, trx?: Knex.Transaction): Knex.QueryBuilder {
    return this.tenancy.scope(this.zones(trx) as Knex.QueryBuilder, actor, `${this.db.schema}.zones.owner_id`);
  }

  /** A zone the actor may see, locked for the change when asked; 404 otherwise. */
  async scopedOne(actor: Actor, id: string, trx?: Knex.Transaction, lock = false): Promise<ZoneRow> {
    const q = this.scoped(actor, trx).where(`${this.db.schema}.zones.id`, id);
    if (lock) q.forUpdate();
    const row = (await q.first()) as ZoneRow | undefined;
    if (!row) throw DnsErrors.zoneNotFound(id);
    return row;
  }

  /** A zone by id, locked for a platform change (no scope); 404 when absent. */
  async lockedOne(id: string, trx: Knex.Transaction): Promise<ZoneRow> {
    const row = (await this.zones(trx).where({ id }).forUpdate().first()) as ZoneRow | undefined;
    if (!row) throw DnsErrors.zoneNotFound(id);
    return row;
  }

  async recordsOf(zoneId: string, trx?: Knex.Transaction): Promise<RecordRow[]> {
    return (await this.records(trx).where({ zone_id: zoneId }).orderBy(['name', 'type', 'content'])) as RecordRow[];
  }
}
