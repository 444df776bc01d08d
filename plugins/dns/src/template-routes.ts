/**
 * `/v1/dns/package-templates/:packageId`: the zone template of a package (decision 0070), its
 * preview for a domain, and the way back to the inherited one. Admins reach every package, a
 * reseller its own; anyone else's package reads as missing.
 */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { DnsConfig } from './config.js';
import type { EffectiveTemplate, PackageTemplates } from './package-templates.js';
import { RECORD_TYPES, zoneName } from './records.js';
import { MAX_TEMPLATE_RECORDS } from './template.js';

const tags = ['dns'];
const Params = Type.Object({ packageId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404);

const TemplateRecord = Type.Object(
  {
    name: Type.String({ maxLength: 300, description: '@, a name relative to the zone, or a full name ending in a dot' }),
    type: Type.Union(RECORD_TYPES.map((t) => Type.Literal(t))),
    ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    data: Type.String({
      maxLength: 5000,
      description: 'As the records API takes it; {domain}, {ipv4}, {ipv6} filled in per zone',
    }),
  },
  { additionalProperties: false },
);

const TemplateSchema = Type.Object({
  packageId: Type.String({ format: 'uuid' }),
  source: Type.Union([Type.Literal('package'), Type.Literal('reseller'), Type.Literal('platform')], {
    description: "package: its own; reseller: its reseller's own package's; platform: the DNS plugin's config",
  }),
  records: Type.Array(
    Type.Object({ name: Type.String(), type: Type.String(), ttl: Type.Optional(Type.Integer()), data: Type.String() }),
  ),
  placeholders: Type.Object(
    {
      ipv4: Type.Union([Type.String(), Type.Null()]),
      ipv6: Type.Union([Type.String(), Type.Null()]),
    },
    {
      description:
        'What {ipv4} and {ipv6} stand for now (the server addresses; null: records using it are left out); {domain} is the zone',
    },
  ),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const PutBody = Type.Object(
  { records: Type.Array(TemplateRecord, { maxItems: MAX_TEMPLATE_RECORDS }) },
  { additionalProperties: false },
);
const PreviewQuery = Type.Object({ domain: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });
const PreviewSchema = Type.Object({
  zone: Type.String(),
  source: TemplateSchema.properties.source,
  records: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), ttl: Type.Integer(), data: Type.String() })),
  skipped: Type.Array(Type.Object({ index: Type.Integer(), reason: Type.String() }), {
    description: 'Template records that do not fit this zone, left out',
  }),
});

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

export function templateRoutes({ templates, config }: { templates: PackageTemplates; config: () => DnsConfig }) {
  const view = (packageId: string, t: EffectiveTemplate) => {
    const c = config();
    return {
      packageId,
      source: t.source,
      records: t.records,
      placeholders: { ipv4: c.serverIpv4 || null, ipv6: c.serverIpv6 || null },
      updatedAt: t.updatedAt ? t.updatedAt.toISOString() : null,
    };
  };

  return (app: RouteApp): void => {
    app.get(
      '/package-templates/:packageId',
      {
        config: { permission: 'dns.template.write' },
        schema: {
          summary: "The zone template a package's new zones start from (its own or the one it inherits)",
          tags,
          params: Params,
          response: { 200: TemplateSchema, ...errors },
        },
      },
      async (request) => {
        const pkg = await templates.ownedPackage(actorOf(request), request.params.packageId);
        return view(pkg.id, await templates.effective(pkg.id));
      },
    );

    app.put(
      '/package-templates/:packageId',
      {
        config: { permission: 'dns.template.write', audit: 'dns.template.changed' },
        schema: {
          summary: "Set the package's own zone template (checked as records; existing zones are not changed)",
          tags,
          params: Params,
          body: PutBody,
          response: { 200: TemplateSchema, ...errors },
        },
      },
      async (request) => {
        const saved = await templates.put(actorOf(request), request.params.packageId, request.body.records);
        return view(request.params.packageId, saved);
      },
    );

    app.delete(
      '/package-templates/:packageId',
      {
        config: { permission: 'dns.template.write', audit: 'dns.template.removed' },
        schema: {
          summary: "Drop the package's own template: it inherits its reseller's or the platform's again",
          tags,
          params: Params,
          response: { 200: TemplateSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await templates.remove(actor, request.params.packageId);
        return view(request.params.packageId, await templates.effective(request.params.packageId));
      },
    );

    app.get(
      '/package-templates/:packageId/preview',
      {
        config: { permission: 'dns.template.write' },
        schema: {
          summary: "The records a zone for this domain would start with under the package's template",
          tags,
          params: Params,
          querystring: PreviewQuery,
          response: { 200: PreviewSchema, ...errors },
        },
      },
      async (request) => {
        const c = config();
        const pkg = await templates.ownedPackage(actorOf(request), request.params.packageId);
        const zone = zoneName(request.query.domain, '/querystring/domain', { allowReservedTlds: c.allowReservedTlds });
        const resolved = await templates.resolve(pkg.id, zone);
        return {
          zone,
          source: resolved.source,
          records: resolved.records.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, data: r.content })),
          skipped: resolved.skipped,
        };
      },
    );
  };
}
