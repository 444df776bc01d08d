/**
 * `/v1/tls-acme`: every website's certificate in one table (the panel's page) and "renew now"
 * by domain name (a form people fill in with a name, not an id).
 */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { CertificatesService } from '../services/certificates-service.js';
import { CertificateSchema, type CertificateStore } from '../store.js';

const tags = ['certificates'];
const errors = errorResponses(400, 401, 403, 404, 409);

const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);

const ListItem = Type.Intersect([CertificateSchema, Type.Object({ domain: Type.String() })]);
const List = Type.Object({ items: Type.Array(ListItem), total: Type.Integer(), page: Type.Integer(), limit: Type.Integer() });

const RenewBody = Type.Object(
  {
    domain: Type.String({
      title: 'Website',
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9.-]+$',
      description: 'One of the website’s domains, e.g. shop.example.com',
    }),
    wildcard: Type.Optional(
      Type.Boolean({
        title: 'Wildcard',
        description: 'Also cover *.<domain> (DNS-01; needs the zone on our DNS); unsaid: as last ordered',
      }),
    ),
  },
  { additionalProperties: false },
);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

export function listRoutes({ store, service }: { store: CertificateStore; service: CertificatesService }) {
  return (app: RouteApp): void => {
    app.get(
      '/certificates',
      {
        config: { permission: 'tls.certificate.read' },
        schema: {
          summary: 'Certificates of your websites (or your customers’): state, issuer, expiry',
          tags,
          querystring: ListQuery,
          response: { 200: List, ...errors },
        },
      },
      async (request) => {
        const { page, limit } = request.query;
        const { items, total } = await store.scopedList(actorOf(request), page, limit);
        const views = await Promise.all(
          items.map(async ({ site, row }) => ({ ...(await service.view(site, row)), domain: site.domains[0] ?? site.name })),
        );
        return { items: views, total, page, limit };
      },
    );

    app.post(
      '/renewals',
      {
        config: { permission: 'tls.certificate.write', rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          summary: 'Order a certificate now for the website answering to a domain (first one, or a renewal)',
          tags,
          body: RenewBody,
          response: { 202: CertificateSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const site = await store.scopedSiteByDomain(actor, request.body.domain.toLowerCase());
        const info = { actorId: actor.userId, ip: request.ip, requestId: request.id };
        const view = await service.request(site, info, { wildcard: request.body.wildcard });
        reply.code(202);
        return view;
      },
    );
  };
}
