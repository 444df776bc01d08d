import { definePlugin, extensionPoints, HostplaneError, type RouteRegistrar } from '@hostplane/sdk';
import t from 'tap';
import { windowMsOf } from '../src/server/auth-failures.js';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { routesPlugin, tokenAuthPlugin, USER } from './helpers/plugins.js';

/** How often an authenticator looked a `fake-…` token up (a database query in a real one). */
const lookups = { count: 0 };
const fakeTokenAuth = definePlugin({
  id: 'fake-token-auth',
  sdk: '^0.1.0',
  provides: ['authenticator'],
  setup(ctx) {
    ctx.extend(extensionPoints.authenticator, {
      async authenticate(request) {
        const header = request.headers.authorization;
        if (typeof header !== 'string' || !header.startsWith('Bearer fake-')) return null;
        lookups.count += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new HostplaneError('AUTH_ERR_API_TOKEN_INVALID', 'Unknown token', 401);
      },
    });
  },
});

const pings: RouteRegistrar = (app) => {
  app.get('/', { config: { public: true } }, async () => ({ pong: true }));
  app.get('/tight', { config: { public: true, rateLimit: { max: 1, timeWindow: '1 minute' } } }, async () => ({ pong: true }));
  app.get('/unlimited', { config: { public: true, rateLimit: false } }, async () => ({ pong: true }));
};

// Each test has its own host, so its own counters (they live in the host's app).
const { kernel } = await bootKernel(t, {
  plugins: [
    routesPlugin('pings', pings),
    tokenAuthPlugin({ ada: { userId: USER.reader, role: 'customer' }, bob: { userId: USER.writer, role: 'customer' } }),
    fakeTokenAuth,
  ],
});

t.test('over the limit: 429 in the error shape with Retry-After and RateLimit headers', async (t) => {
  const { host } = await startGateway(t, kernel, { rateLimit: { max: 2, timeWindow: '1 minute' } });
  const first = await host.inject({ method: 'GET', url: '/v1/pings' });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['ratelimit-limit'], '2');
  t.equal(first.headers['ratelimit-remaining'], '1');
  t.ok(first.headers['ratelimit-reset'], 'RateLimit-Reset is set');
  await host.inject({ method: 'GET', url: '/v1/pings' });
  const third = await host.inject({ method: 'GET', url: '/v1/pings', headers: { 'x-request-id': 'too-many' } });
  t.equal(third.statusCode, 429);
  t.equal(third.headers['ratelimit-remaining'], '0');
  t.ok(Number(third.headers['retry-after']) > 0, 'Retry-After says when to come back');
  const body = third.json();
  t.equal(body.error.code, 'HOST_ERR_RATE_LIMITED');
  t.equal(body.error.requestId, 'too-many');
  t.match(body.error.details, { limit: 2 });
});

t.test('signed-in users have their own budget, apart from their IP', async (t) => {
  const { host } = await startGateway(t, kernel, { rateLimit: { max: 1, timeWindow: '1 minute' } });
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings' })).statusCode, 200);
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings' })).statusCode, 429, 'anonymous IP budget spent');
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings', headers: bearer('ada') })).statusCode, 200);
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings', headers: bearer('ada') })).statusCode, 429);
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings', headers: bearer('bob') })).statusCode, 200, 'bob is not ada');
});

t.test('a route can tighten or lift the limit', async (t) => {
  const { host } = await startGateway(t, kernel, { rateLimit: { max: 3, timeWindow: '1 minute' } });
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings/tight' })).statusCode, 200);
  t.equal((await host.inject({ method: 'GET', url: '/v1/pings/tight' })).statusCode, 429);
  for (let i = 0; i < 5; i++) {
    const res = await host.inject({ method: 'GET', url: '/v1/pings/unlimited' });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['ratelimit-limit'], undefined);
  }
});

t.test('health checks are not rate limited', async (t) => {
  const { host } = await startGateway(t, kernel, { rateLimit: { max: 1, timeWindow: '1 minute' } });
  for (let i = 0; i < 3; i++) t.equal((await host.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});

t.test('probing unknown routes spends the same budget', async (t) => {
  const { host } = await startGateway(t, kernel, { rateLimit: { max: 1, timeWindow: '1 minute' } });
  t.equal((await host.inject({ method: 'GET', url: '/v1/unknown-1' })).statusCode, 404);
  t.equal((await host.inject({ method: 'GET', url: '/v1/unknown-2' })).statusCode, 429);
});

t.test('failed authentications spend the address budget; past it, 429 before any lookup', async (t) => {
  const { host } = await startGateway(t, kernel, { rateLimit: { max: 5, timeWindow: '1 minute' } });
  lookups.count = 0;
  const fake = (i: number, remoteAddress = '10.9.0.1') =>
    host.inject({ method: 'GET', url: '/v1/pings', headers: bearer(`fake-${i}`), remoteAddress });
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => fake(i)));
  const statuses = answers.map((res) => res.statusCode);
  t.equal(statuses.filter((s) => s === 401).length, 5, 'five failures answered');
  t.equal(statuses.filter((s) => s === 429).length, 35, 'the rest refused');
  t.equal(lookups.count, 5, 'the authenticator was asked only five times, however the requests arrived');
  const refused = answers.find((res) => res.statusCode === 429)!;
  t.equal(refused.json<{ error: { code: string } }>().error.code, 'HOST_ERR_RATE_LIMITED');
  t.ok(Number(refused.headers['retry-after']) > 0, 'with Retry-After');

  t.equal(
    (await host.inject({ method: 'GET', url: '/v1/pings', headers: bearer('ada'), remoteAddress: '10.9.0.1' })).statusCode,
    429,
    'past it, any credential from that address waits (telling a good one from a bad one costs the lookup)',
  );
  t.equal(
    (await host.inject({ method: 'GET', url: '/v1/pings', remoteAddress: '10.9.0.1' })).statusCode,
    200,
    'a request without credentials costs no lookup and is not held back',
  );
  t.equal((await fake(99, '10.9.0.2')).statusCode, 401, 'another address has its own budget');
  for (let i = 0; i < 3; i++) {
    const valid = await host.inject({ method: 'GET', url: '/v1/pings', headers: bearer('bob'), remoteAddress: '10.9.0.3' });
    t.equal(valid.statusCode, 200, 'valid credentials do not spend the failure budget');
  }
  t.equal((await fake(100, '10.9.0.3')).statusCode, 401, 'so a failure after them is still answered');
});

t.test('rate-limit windows read as milliseconds', async (t) => {
  t.equal(windowMsOf(1500), 1500);
  t.equal(windowMsOf('1 minute'), 60_000);
  t.equal(windowMsOf('30 seconds'), 30_000);
  t.equal(windowMsOf('2 Hours'), 7_200_000);
  t.throws(() => windowMsOf('a while'), /unreadable rate-limit window/);
});
