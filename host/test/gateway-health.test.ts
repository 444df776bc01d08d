import t from 'tap';
import { cutOff } from './helpers/database.js';
import { startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { routesPlugin } from './helpers/plugins.js';

const { kernel, db } = await bootKernel(t, {
  plugins: [routesPlugin('a', () => undefined), routesPlugin('off', () => undefined)],
  enable: ['a'],
});
const gateway = await startGateway(t, kernel);
const { host } = gateway;

t.test('/health is public: 200 when the kernel is healthy', async (t) => {
  const res = await host.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.match(body, { ok: true, database: { ok: true, latencyMs: Number } });
  t.same(body.plugins, [
    { id: 'a', state: 'started', error: null, health: null },
    { id: 'off', state: 'discovered', error: null, health: null },
  ]);
});

t.test('503 when the database is unreachable, 200 again once it is back', async (t) => {
  const restore = await cutOff(db);
  t.teardown(restore);
  const res = await host.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'probe-bad' } });
  t.equal(res.statusCode, 503);
  t.match(res.json(), { ok: false, database: { ok: false, latencyMs: null, error: String } });
  await restore();
  const back = await host.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'probe-ok' } });
  t.equal(back.statusCode, 200);
});

t.test('healthy probes are not access-logged; failing ones are', async (t) => {
  const ids = gateway.logs().map((l) => l.requestId);
  t.notOk(ids.includes('probe-ok'));
  t.ok(ids.includes('probe-bad'));
});

t.test('503 in the error shape when the kernel cannot answer', async (t) => {
  // The kernel's health check catches its own failures; this stands for a bug in it.
  const health = kernel.health.bind(kernel);
  kernel.health = async () => {
    throw new Error('pool closed');
  };
  t.teardown(() => {
    kernel.health = health;
  });
  const res = await host.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().error.code, 'HOST_ERR_UNHEALTHY');
});
