/** `/v1/dns`: zones, their records, DNSSEC, zone-file export, and the provider's state. */
import { CommonErrors, errorResponses, Type, type Actor, type DnsProvider, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { DnsConfig } from './config.js';
import { RECORD_TYPES } from './records.js';
import { canonical, recordView, RecordSchema, zoneView, ZoneSchema, type DnsStore, type ZoneRow } from './store.js';
import { zoneFile, zoneSpec } from './zone-spec.js';
import type { ZonesService } from './zones-service.js';

const tags = ['dns'];
const Uuid = Type.String({ format: 'uuid' });
const ZoneParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const RecordParams = Type.Object({ id: Uuid, recordId: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);

// Bounds here stop absurd bodies early; the rules (records.ts) give the precise 400s.
const Name = Type.String({ maxLength: 300 });
const Data = Type.String({ maxLength: 5000 });
const Ttl = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
const RecordType = Type.Union(RECORD_TYPES.map((t) => Type.Literal(t)));

const CreateZoneBody = Type.Object(
  {
    name: Name,
    ownerId: Type.Optional(Uuid),
    template: Type.Optional(
      Type.Boolean({
        description: "Start with the template of the owner's package, else the platform's (default true)",
      }),
    ),
  },
  { additionalProperties: false },
);
const CreateRecordBody = Type.Object(
  {
    name: Type.String({
      maxLength: 300,
      description: '@ for the apex, a name relative to the zone, or a full name ending in a dot',
    }),
    type: RecordType,
    ttl: Type.Optional(Ttl),
    data: Data,
  },
  { additionalProperties: false },
);
const UpdateRecordBody = Type.Object(
  { name: Type.Optional(Name), ttl: Type.Optional(Ttl), data: Type.Optional(Data) },
  { additionalProperties: false, minProperties: 1 },
);
const ImportBody = Type.Object(
  {
    zoneFile: Type.String({
      maxLength: 1_000_000,
      description: 'Zone-file text ($ORIGIN, $TTL, relative names); SOA and apex NS are skipped',
    }),
    replace: Type.Optional(Type.Boolean({ description: 'Replace every record (default) or add to them' })),
  },
  { additionalProperties: false },
);
const DnssecBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
const ZoneList = Type.Object({
  items: Type.Array(ZoneSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
});
const ServerSchema = Type.Object({
  provider: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('absent')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  nameservers: Type.Array(Type.String()),
  dnssec: Type.Boolean(),
});

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

export interface RouteDeps {
  store: DnsStore;
  service: ZonesService;
  providers: () => DnsProvider[];
  config: () => DnsConfig;
}

export function dnsRoutes({ store, service, providers, config }: RouteDeps) {
  const Z = `${store.db.schema}.zones`;
  const withRecords = async (zone: ZoneRow) => zoneView(zone, await store.recordsOf(zone.id));

  return (app: RouteApp): void => {
    app.get(
      '/zones',
      {
        config: { permission: 'dns.zone.read' },
        schema: {
          summary: 'Zones you own or that belong to your customers',
          tags,
          querystring: ListQuery,
          response: { 200: ZoneList, ...errors },
        },
      },
      async (request) => {
        const q = request.query;
        const base = store.scoped(actorOf(request));
        if (q.search) base.where(`${Z}.name`, 'like', `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        const [count] = (await base.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
        const rows = (await base
          .clone()
          .select(`${Z}.*`)
          .orderBy([{ column: `${Z}.name` }])
          .limit(q.limit)
          .offset((q.page - 1) * q.limit)) as ZoneRow[];
        return { items: rows.map((r) => zoneView(r)), total: Number(count?.count ?? 0), page: q.page, limit: q.limit };
      },
    );

    app.get(
      '/server',
      {
        config: { permission: 'dns.zone.read' },
        schema: {
          summary: 'The DNS provider and the name servers zones are delegated to',
          tags,
          response: { 200: ServerSchema, ...errors },
        },
      },
      async () => {
        const provider = providers()[0];
        const nameservers = config().nameservers;
        if (!provider)
          return {
            provider: null,
            state: 'absent' as const,
            reason: 'no DNS provider plugin is enabled',
            nameservers,
            dnssec: false,
          };
        const s = await provider.status();
        return { provider: provider.id, state: s.state, reason: s.reason, nameservers, dnssec: s.dnssec };
      },
    );

    app.post(
      '/zones',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.zone.created' },
        schema: {
          summary: 'Create a zone (from the template unless template is false); served once the provider applied it',
          tags,
          body: CreateZoneBody,
          response: { 201: ZoneSchema, ...errors },
        },
      },
      async (request, reply) => {
        const zone = await service.createZone(actorOf(request), request.body);
        reply.code(201);
        return withRecords(zone);
      },
    );

    app.get(
      '/zones/:id',
      {
        config: { permission: 'dns.zone.read' },
        schema: { summary: 'One zone with its records', tags, params: ZoneParams, response: { 200: ZoneSchema, ...errors } },
      },
      async (request) => withRecords(await store.scopedOne(actorOf(request), request.params.id)),
    );

    app.delete(
      '/zones/:id',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.zone.deleted' },
        schema: {
          summary: 'Delete a zone (the server stops serving it in the background)',
          tags,
          params: ZoneParams,
          response: { 202: ZoneSchema, ...errors },
        },
      },
      async (request, reply) => {
        const zone = await service.deleteZone(actorOf(request), request.params.id);
        reply.code(202);
        return zoneView(zone);
      },
    );

    app.put(
      '/zones/:id/dnssec',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.zone.dnssec' },
        schema: {
          summary: 'Sign the zone with DNSSEC or stop signing it; the DS records for the registry follow once applied',
          tags,
          params: ZoneParams,
          body: DnssecBody,
          response: { 200: ZoneSchema, ...errors },
        },
      },
      async (request) => zoneView(await service.setDnssec(actorOf(request), request.params.id, request.body.enabled)),
    );

    app.get(
      '/zones/:id/export',
      {
        config: { permission: 'dns.zone.read' },
        schema: {
          summary: 'The zone in zone-file (RFC 1035 master file) format',
          tags,
          params: ZoneParams,
          response: { 200: Type.String(), ...errors },
        },
      },
      async (request, reply) => {
        const zone = await store.scopedOne(actorOf(request), request.params.id);
        const records = (await store.recordsOf(zone.id)).map(canonical);
        reply.type('text/plain; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="${zone.name}.zone"`);
        return zoneFile(zoneSpec({ name: zone.name, serial: Number(zone.serial) }, records, config()));
      },
    );

    app.post(
      '/zones/:id/import',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.zone.imported' },
        // A zone file is larger than the host's default body limit allows for JSON.
        bodyLimit: 2_000_000,
        schema: {
          summary: "Replace (or add to) the zone's records from a zone file; all or nothing",
          tags,
          params: ZoneParams,
          body: ImportBody,
          response: { 200: Type.Array(RecordSchema), ...errors },
        },
      },
      async (request) =>
        (await service.importZone(actorOf(request), request.params.id, request.body.zoneFile, request.body.replace ?? true)).map(
          recordView,
        ),
    );

    app.post(
      '/zones/:id/reset',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.zone.reset' },
        schema: {
          summary: "Replace the zone's records with what its owner's package template gives it now",
          tags,
          params: ZoneParams,
          response: { 200: Type.Array(RecordSchema), ...errors },
        },
      },
      async (request) => (await service.resetToTemplate(actorOf(request), request.params.id)).map(recordView),
    );

    app.get(
      '/zones/:id/records',
      {
        config: { permission: 'dns.zone.read' },
        schema: { summary: "A zone's records", tags, params: ZoneParams, response: { 200: Type.Array(RecordSchema), ...errors } },
      },
      async (request) => {
        const zone = await store.scopedOne(actorOf(request), request.params.id);
        return (await store.recordsOf(zone.id)).map(recordView);
      },
    );

    app.post(
      '/zones/:id/records',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.record.created' },
        schema: {
          summary: 'Add a record (the serial moves)',
          tags,
          params: ZoneParams,
          body: CreateRecordBody,
          response: { 201: RecordSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await service.addRecord(actorOf(request), request.params.id, request.body);
        reply.code(201);
        return recordView(row);
      },
    );

    app.patch(
      '/zones/:id/records/:recordId',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.record.changed' },
        schema: {
          summary: "Change a record's name, TTL or data (a set shares one TTL)",
          tags,
          params: RecordParams,
          body: UpdateRecordBody,
          response: { 200: RecordSchema, ...errors },
        },
      },
      async (request) =>
        recordView(await service.updateRecord(actorOf(request), request.params.id, request.params.recordId, request.body)),
    );

    app.delete(
      '/zones/:id/records/:recordId',
      {
        config: { permission: 'dns.zone.write', audit: 'dns.record.deleted' },
        schema: { summary: 'Delete a record', tags, params: RecordParams, response: { 204: Type.Null(), ...errors } },
      },
      async (request, reply) => {
        await service.deleteRecord(actorOf(request), request.params.id, request.params.recordId);
        reply.code(204);
        return null;
      },
    );
  };
}
