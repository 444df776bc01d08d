import t from 'tap';
import { FakeKernel } from './helpers/fake-kernel.js';
import { startGateway } from './helpers/host.js';

t.test('/health is public: 200 when the kernel is healthy', async (t) => {
  const { host } = await startGateway(t, new FakeKernel([{ id: 'a' }]));
  const res = await host.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { ok: true, database: { ok: true }, plugins: [{ id: 'a', state: 'started', error: null }] });
});

t.test('503 when it is not', async (t) => {
  const k = new FakeKernel();
  k.healthy = false;
  const { host } = await startGateway(t, k);
  const res = await host.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().ok, false);
});

t.test('503 in the error shape when the kernel cannot answer', async (t) => {
  const k = new FakeKernel();
  k.health = async () => {
    throw new Error('pool closed');
  };
  const { host } = await startGateway(t, k);
  const res = await host.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().error.code, 'HOST_ERR_UNHEALTHY');
});

t.test('healthy probes are not access-logged; failing ones are', async (t) => {
  const k = new FakeKernel();
  const gateway = await startGateway(t, k);
  await gateway.host.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'probe-ok' } });
  k.healthy = false;
  await gateway.host.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'probe-bad' } });
  const ids = gateway.logs().map((l) => l.requestId);
  t.notOk(ids.includes('probe-ok'));
  t.ok(ids.includes('probe-bad'));
});
