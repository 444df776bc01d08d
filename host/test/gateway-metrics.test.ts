import t from 'tap';
import { FakeKernel } from './helpers/fake-kernel.js';
import { startGateway } from './helpers/host.js';

function kernel(): FakeKernel {
  const k = new FakeKernel([
    { id: 'things', routes: (app) => void app.get('/:id', { config: { public: true } }, async () => ({ ok: true })) },
    { id: 'off', enabled: false },
  ]);
  k.jobList.push(
    {
      id: '1',
      name: 'things:sync',
      state: 'dead',
      attempts: 5,
      maxAttempts: 5,
      runAt: '2026-01-01T00:00:00Z',
      lastError: 'x',
      progress: null,
      progressMessage: null,
      createdAt: '2026-01-01T00:00:00Z',
      key: null,
    },
    {
      id: '2',
      name: 'things:sync',
      state: 'waiting',
      attempts: 0,
      maxAttempts: 5,
      runAt: '2026-01-01T00:00:00Z',
      lastError: null,
      progress: null,
      progressMessage: null,
      createdAt: '2026-01-01T00:00:00Z',
      key: null,
    },
  );
  return k;
}

t.test('/metrics exposes request counters, durations, jobs, plugins and process metrics', async (t) => {
  const { host } = await startGateway(t, kernel());
  await host.inject({ method: 'GET', url: '/v1/things/a' });
  await host.inject({ method: 'GET', url: '/v1/things/b' });
  await host.inject({ method: 'GET', url: '/no/such/path' });
  const res = await host.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], 'text/plain');
  const text = res.body;
  t.match(text, 'http_requests_total{method="GET",route="/v1/things/:id",status_code="200"} 2', 'labelled by route template');
  t.match(text, 'http_requests_total{method="GET",route="unmatched",status_code="404"} 1', 'unknown paths share one label');
  t.match(text, /http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/things\/:id",status_code="200"\}/);
  t.match(text, 'hostplane_jobs{state="dead"} 1');
  t.match(text, 'hostplane_jobs{state="waiting"} 1');
  t.match(text, 'hostplane_jobs{state="running"} 0');
  t.match(text, 'hostplane_plugins{state="started"} 1');
  t.match(text, 'hostplane_plugins{state="disabled"} 1');
  t.match(text, 'process_cpu_user_seconds_total');
});

t.test('counters survive a change of generation', async (t) => {
  const { host, kernel: k } = await startGateway(t, kernel());
  await host.inject({ method: 'GET', url: '/v1/things/a' });
  await k.emitChange();
  await host.inject({ method: 'GET', url: '/v1/things/a' });
  const text = (await host.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(text, 'http_requests_total{method="GET",route="/v1/things/:id",status_code="200"} 2');
});

t.test('a scrape still answers when job counts are unavailable', async (t) => {
  const k = kernel();
  k.jobs.counts = async () => {
    throw new Error('database down');
  };
  const { host } = await startGateway(t, k);
  const res = await host.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.body, 'http_requests_total');
  t.notMatch(res.body, /hostplane_jobs\{/);
});

t.test('two hosts in one process keep separate registries', async (t) => {
  const a = await startGateway(t, kernel());
  const b = await startGateway(t, kernel());
  await a.host.inject({ method: 'GET', url: '/v1/things/x' });
  const text = (await b.host.inject({ method: 'GET', url: '/metrics' })).body;
  t.notMatch(text, 'route="/v1/things/:id"');
});
