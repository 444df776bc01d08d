/**
 * `/v1/websites/:id/certificate`: a site's certificate state, issuer and expiry (GET), the
 * customer's own certificate (PUT), an ACME order now (POST: first certificate or renewal) and
 * the HTTPS switches (PATCH). Foreign and unknown sites read as 404.
 */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { CertificatesService, RequestInfo } from '../services/certificates-service.js';
import { CertificateSchema, type CertificateStore } from '../store.js';

const tags = ['certificates'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409, 503);
// PEM is base64 with header lines; NUL or other control bytes are refused before any parsing.
const Pem = (max: number, description: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '^[\\x20-\\x7e\\r\\n\\t]+$', description });

const UploadBody = Type.Object(
  {
    certificate: Pem(16_384, "The site's certificate, PEM"),
    key: Pem(16_384, 'Its private key, PEM, unencrypted'),
    chain: Type.Optional(
      Type.String({
        maxLength: 65_536,
        pattern: '^[\\x20-\\x7e\\r\\n\\t]*$',
        description: 'Intermediate certificates, PEM, each followed by its issuer',
      }),
    ),
  },
  { additionalProperties: false },
);

const RequestBody = Type.Object(
  {
    wildcard: Type.Optional(
      Type.Boolean({ description: 'Also cover *.<domain> (DNS-01; needs the zone on our DNS); unsaid: as last ordered' }),
    ),
  },
  { additionalProperties: false },
);

const SwitchesBody = Type.Object(
  {
    forceHttps: Type.Optional(Type.Boolean({ description: 'Redirect plain HTTP to HTTPS' })),
    hsts: Type.Optional(Type.Boolean({ description: 'Send Strict-Transport-Security (two years)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

/** POST bodies are optional: a request without one reads as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

export function certificateRoutes({ store, service }: { store: CertificateStore; service: CertificatesService }) {
  return (app: RouteApp): void => {
    app.get(
      '/:id/certificate',
      {
        config: { permission: 'tls.certificate.read' },
        schema: {
          summary: "A website's certificate: state, issuer, names, expiry, HTTPS switches",
          tags,
          params: IdParams,
          response: { 200: CertificateSchema, ...errors },
        },
      },
      async (request) => service.view(await store.scopedSite(actorOf(request), request.params.id)),
    );

    app.put(
      '/:id/certificate',
      {
        config: { permission: 'tls.certificate.write', rateLimit: { max: 30, timeWindow: '1 minute' } },
        bodyLimit: 128 * 1024,
        schema: {
          summary: 'Upload your own certificate (key must match, chain in order, dates valid, names cover the site)',
          tags,
          params: IdParams,
          body: UploadBody,
          response: { 200: CertificateSchema, ...errors },
        },
      },
      async (request) => {
        const site = await store.scopedSite(actorOf(request), request.params.id);
        return service.upload(site, request.body, infoOf(request));
      },
    );

    app.post(
      '/:id/certificate',
      {
        config: { permission: 'tls.certificate.write', rateLimit: { max: 10, timeWindow: '1 minute' } },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Order a certificate from the ACME CA now (first one, or a renewal); runs in the background',
          tags,
          params: IdParams,
          body: RequestBody,
          response: { 202: CertificateSchema, ...errors },
        },
      },
      async (request, reply) => {
        const site = await store.scopedSite(actorOf(request), request.params.id);
        const view = await service.request(site, infoOf(request), request.body);
        reply.code(202);
        return view;
      },
    );

    app.patch(
      '/:id/certificate',
      {
        config: { permission: 'tls.certificate.write' },
        schema: {
          summary: 'Turn force-HTTPS and HSTS on or off (needs a certificate)',
          tags,
          params: IdParams,
          body: SwitchesBody,
          response: { 200: CertificateSchema, ...errors },
        },
      },
      async (request) => {
        const site = await store.scopedSite(actorOf(request), request.params.id);
        return service.setSwitches(site, request.body, infoOf(request));
      },
    );
  };
}
