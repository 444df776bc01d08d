import t from 'tap';
import { startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';

const PANEL = 'https://panel.example.com';

const { kernel } = await bootKernel(t);
const withCors = (await startGateway(t, kernel, { corsOrigins: [PANEL] })).host;
const { host } = await startGateway(t, kernel);

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
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    t.match(res.headers['strict-transport-security'], 'max-age=');
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
