import type { RouteRegistrar } from '@hostplane/sdk';
import t from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { routesPlugin, tokenAuthPlugin, USER } from './helpers/plugins.js';

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
