/**
 * Security headers, as @fastify/helmet defines them. The CSP suits a JSON API plus the Swagger
 * UI at /docs: everything from our own origin, no inline scripts, no framing, no plugins.
 * Swagger UI loads only same-origin scripts and styles and draws icons from `data:` URLs.
 *
 * @fastify/helmet builds helmet's middleware anew on every request (parsing the CSP each time)
 * in two async hooks, which cost this gateway more than every other hook together. The headers
 * never vary per request here, so they are computed once, by @fastify/helmet itself on a probe
 * app, and set by one synchronous hook.
 */
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import type { HostApp } from './types.js';

/** The Content-Security-Policy directives every response carries. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  // Not `upgrade-insecure-requests`: on a plain-http development host it would send the
  // browser to an https origin that does not exist and break /docs.
};

/** The helmet options of the host. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  // The API is read cross-origin by the panel and scripts through CORS, not embedded;
  // `same-site` keeps no-cors embedding from other sites out.
  crossOriginResourcePolicy: { policy: 'same-site' },
  referrerPolicy: { policy: 'no-referrer' },
  // The legacy twin of `frame-ancestors 'none'` above; helmet's default (SAMEORIGIN) would tell
  // old browsers something else than the CSP tells new ones.
  xFrameOptions: { action: 'deny' },
  // Headers that only steer legacy browsers (IE8 downloads, XSS auditors, Flash/Acrobat policy
  // files) or HTML-only features: no use to JSON clients, and every response paid ~1 µs each
  // for them. Kept: CSP, HSTS (https only), nosniff, frame options, COOP/CORP, referrer policy.
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

// What the probe's bare route sends by itself; everything else came from helmet.
const NOT_FROM_HELMET = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/** The headers helmet sets with `options`, read off one response of a probe app. */
export async function computeSecurityHeaders(options: FastifyHelmetOptions = HELMET_OPTIONS): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  try {
    await probe.register(helmet, options);
    probe.get('/', (_request, reply) => reply.send(''));
    const res = await probe.inject({ method: 'GET', url: '/' });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (!NOT_FROM_HELMET.has(name) && value !== undefined) headers[name] = String(value);
    }
    return headers;
  } finally {
    await probe.close();
  }
}

/** Options of {@link securityHeadersPlugin}. */
export interface SecurityHeadersOptions {
  /** From {@link computeSecurityHeaders}, once per host. */
  headers: Record<string, string>;
}

const HSTS = 'strict-transport-security';

/**
 * Set the security headers on every response (errors and 404s included). HSTS only when the
 * request came over HTTPS (RFC 6797 §7.2: a host must not send it over plain http), which
 * `request.protocol` reads from the socket, or from `X-Forwarded-Proto` when `trustProxy` is set.
 */
export const securityHeadersPlugin = fp<SecurityHeadersOptions>(
  async (app: HostApp, { headers }) => {
    const { [HSTS]: hsts, ...always } = headers;
    // helmet also removes X-Powered-By; Fastify never sets it.
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(always);
      if (hsts !== undefined && request.protocol === 'https') reply.header(HSTS, hsts);
      done();
    });
  },
  { name: 'hostplane-security-headers', fastify: '5.x' },
);
