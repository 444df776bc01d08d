import { coreServices, definePlugin, type JobsService } from '@hostplane/sdk';
import t from 'tap';
import { cutOff } from './helpers/database.js';
import { startGateway } from './helpers/host.js';
import { bootKernel, waitFor } from './helpers/kernel.js';
import { routesPlugin } from './helpers/plugins.js';

// `things` serves a route and has a job that always fails.
let jobs!: JobsService;
const things = definePlugin({
  id: 'things',
  sdk: '^0.1.0',
  permissions: ['http:routes', 'jobs'],
  deps: { jobs: coreServices.jobs },
  setup(ctx) {
    jobs = ctx.deps.jobs;
    ctx.routes((app) => void app.get('/:id', { config: { public: true } }, async () => ({ ok: true })));
    ctx.job(
      'sync',
      async () => {
        throw new Error('remote refused');
      },
      { maxAttempts: 1 },
    );
  },
});

const { kernel, db } = await bootKernel(t, {
  plugins: [things, routesPlugin('off', () => undefined)],
  runWorkers: true,
});
await kernel.disable('off');

// One dead job, and one waiting (no started plugin defines `things:later`, so no worker takes it).
let dead = false;
const off = kernel.jobs.onEvent((event) => {
  if (event.type === 'failed' && event.dead) dead = true;
});
await jobs.enqueue('sync', {});
await kernel.jobs.enqueue('things:later', {});
await waitFor('the job to die', () => dead);
off();

t.test('/metrics exposes request counters, durations, jobs, plugins and process metrics', async (t) => {
  const { host } = await startGateway(t, kernel);
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
  const { host } = await startGateway(t, kernel);
  await host.inject({ method: 'GET', url: '/v1/things/a' });
  const before = host.app();
  await kernel.enable('off');
  await kernel.disable('off');
  t.not(host.app(), before, 'the plugin change built a new generation');
  await host.inject({ method: 'GET', url: '/v1/things/a' });
  const text = (await host.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(text, 'http_requests_total{method="GET",route="/v1/things/:id",status_code="200"} 2');
});

t.test('two hosts in one process keep separate registries', async (t) => {
  const a = await startGateway(t, kernel);
  const b = await startGateway(t, kernel);
  await a.host.inject({ method: 'GET', url: '/v1/things/x' });
  const text = (await b.host.inject({ method: 'GET', url: '/metrics' })).body;
  t.notMatch(text, 'route="/v1/things/:id"');
});

t.test('a scrape still answers when job counts are unavailable', async (t) => {
  const gateway = await startGateway(t, kernel);
  const restore = await cutOff(db);
  t.teardown(restore);
  const res = await gateway.host.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.body, 'http_requests_total');
  t.match(res.body, 'hostplane_plugins{state="started"} 1', 'what the kernel knows without the database is still there');
  t.notMatch(res.body, /hostplane_jobs\{/);
  t.ok(
    gateway.logs().some((l) => l.msg === 'job counts unavailable for metrics'),
    'the missing counts are logged',
  );
});
