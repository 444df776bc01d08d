import t from 'tap';
import { startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';

const PANEL = 'https://panel.example.com';

const { kernel } = await bootKernel(t);
const withCors = (await startGateway(t, kernel, { corsOrigins: [PANEL] })).host;
const { host } = await startGateway(t, kernel);
const behindProxy = (await startGateway(t, kernel, { trustProxy: true })).host;

t.test('CORS preflight from an allowed origin is answered with credentials', async (t) => {
  const res = await withCors.inject({
    method: 'OPTIONS',
    url: '/v1/plugins',
    headers: {
      origin: PANEL,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });
  t.equal(res.statusCode, 204);
  t.equal(res.headers['access-control-allow-origin'], PANEL);
  t.equal(res.headers['access-control-allow-credentials'], 'true');
  t.match(res.headers['access-control-allow-methods'], 'POST');
  t.match(res.headers['access-control-allow-headers'], 'authorization');
});

t.test('CORS stays closed to other origins', async (t) => {
  const res = await withCors.inject({
    method: 'OPTIONS',
    url: '/v1/plugins',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  t.equal(res.headers['access-control-allow-origin'], undefined);
  const simple = await withCors.inject({ method: 'GET', url: '/health', headers: { origin: PANEL } });
  t.equal(simple.headers['access-control-allow-origin'], PANEL);
  t.match(simple.headers['access-control-expose-headers'], 'x-request-id');
});

t.test('security headers are on every response, errors included', async (t) => {
  for (const url of ['/health', '/v1/nothing']) {
    const res = await host.inject({ method: 'GET', url });
    const csp = String(res.headers['content-security-policy']);
    t.match(csp, "default-src 'self'", url);
    t.match(csp, "frame-ancestors 'none'");
    t.match(csp, "object-src 'none'");
    t.notMatch(csp, 'upgrade-insecure-requests');
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(res.headers['x-frame-options'], 'DENY', 'agrees with frame-ancestors');
    t.equal(res.headers['referrer-policy'], 'no-referrer');
    t.equal(res.headers['x-powered-by'], undefined);
  }
});

t.test('the docs UI is served under the same policy', async (t) => {
  const res = await host.inject({ method: 'GET', url: '/docs/' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], 'text/html');
  t.notMatch(res.body, /<script>(?!\s*<\/script>)/, 'no inline script the CSP would block');
  t.match(res.headers['content-security-policy'], "script-src 'self'");
});

/** What X-Frame-Options must say for a CSP's `frame-ancestors` (only the two it can express). */
function frameOptionsFor(csp: string): string | undefined {
  const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.trim();
  if (ancestors === "'none'") return 'DENY';
  if (ancestors === "'self'") return 'SAMEORIGIN';
  return undefined;
}

t.test('X-Frame-Options says what CSP frame-ancestors says, for the API and the docs', async (t) => {
  for (const url of ['/health', '/v1/openapi.json', '/docs/', '/v1/nothing']) {
    const res = await host.inject({ method: 'GET', url });
    const csp = String(res.headers['content-security-policy']);
    t.ok(frameOptionsFor(csp), `${url}: frame-ancestors is one X-Frame-Options can express`);
    t.equal(res.headers['x-frame-options'], frameOptionsFor(csp), url);
  }
});

t.test('HSTS only on responses that went over HTTPS', async (t) => {
  const plain = await host.inject({ method: 'GET', url: '/health' });
  t.equal(plain.headers['strict-transport-security'], undefined, 'plain http: no HSTS');

  const spoofed = await host.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'https' } });
  t.equal(spoofed.headers['strict-transport-security'], undefined, 'X-Forwarded-Proto is ignored without trustProxy');

  const proxied = await behindProxy.inject({ method: 'GET', url: '/v1/nothing', headers: { 'x-forwarded-proto': 'https' } });
  t.match(proxied.headers['strict-transport-security'], /^max-age=\d+; includeSubDomains$/, 'https through a trusted proxy');
  const proxiedPlain = await behindProxy.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'http' } });
  t.equal(proxiedPlain.headers['strict-transport-security'], undefined, 'http through a trusted proxy');
});
