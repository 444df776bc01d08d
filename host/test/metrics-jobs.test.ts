/**
 * The queue and plugin-health metrics the alert rules in deploy/prometheus/ read: depth by job
 * name and state, the oldest waiting job's age, attempts by outcome with their durations, and
 * one health line per enabled plugin.
 */
import { coreServices, definePlugin, type JobsService } from '@hostplane/sdk';
import t from 'tap';
import { startGateway } from './helpers/host.js';
import { bootKernel, waitFor } from './helpers/kernel.js';

let jobs!: JobsService;
const things = definePlugin({
  id: 'things',
  sdk: '^0.1.0',
  permissions: ['jobs'],
  deps: { jobs: coreServices.jobs },
  setup(ctx) {
    jobs = ctx.deps.jobs;
    ctx.job(
      'sync',
      async () => {
        throw new Error('remote refused');
      },
      { maxAttempts: 1 },
    );
    ctx.job('tidy', async () => undefined);
  },
});
const limping = definePlugin({
  id: 'limping',
  sdk: '^0.1.0',
  start(ctx) {
    ctx.reportHealth('degraded', 'its daemon is missing');
  },
});
const resting = definePlugin({ id: 'resting', sdk: '^0.1.0' });

const { kernel } = await bootKernel(t, { plugins: [things, limping, resting], enable: ['things', 'limping'], runWorkers: true });
const { host } = await startGateway(t, kernel);
const scrape = async (): Promise<string> => (await host.inject({ method: 'GET', url: '/metrics' })).body;

t.test('attempts are counted by job name and outcome, with their durations', async (t) => {
  let finished = 0;
  const off = kernel.jobs.onEvent((event) => {
    if (event.type !== 'started') finished += 1;
  });
  t.teardown(off);
  await jobs.enqueue('sync', {});
  await jobs.enqueue('tidy', {});
  await waitFor('both jobs to finish', () => finished === 2);
  const text = await scrape();
  t.match(text, 'hostplane_job_runs_total{name="things:sync",outcome="dead"} 1');
  t.match(text, 'hostplane_job_runs_total{name="things:tidy",outcome="succeeded"} 1');
  t.match(text, /hostplane_job_duration_seconds_count\{name="things:tidy",outcome="succeeded"\} 1/);
  t.match(text, 'hostplane_job_queue_depth{name="things:sync",state="dead"} 1', 'the dead job stays in the queue');
  t.notMatch(text, /hostplane_job_queue_depth\{name="things:tidy"/, 'the finished one is gone');
});

t.test('a job nobody takes shows in the depth and ages as the oldest waiting', async (t) => {
  // No started plugin defines `things:later`, so no worker takes it.
  await kernel.jobs.enqueue('things:later', {});
  await new Promise((r) => setTimeout(r, 1100));
  const text = await scrape();
  t.match(text, 'hostplane_job_queue_depth{name="things:later",state="waiting"} 1');
  const age = Number(/hostplane_job_oldest_waiting_seconds\{name="things:later"\} ([\d.]+)/.exec(text)?.[1]);
  t.ok(age >= 1 && age < 60, `its age (${age} s) counts from when it could run`);
  t.match(text, 'hostplane_job_queue_up 1');
});

t.test('each enabled plugin has a health line: degraded is 0, disabled is left out', async (t) => {
  const text = await scrape();
  t.match(text, 'hostplane_plugin_healthy{plugin="things"} 1');
  t.match(text, 'hostplane_plugin_healthy{plugin="limping"} 0');
  t.notMatch(text, /hostplane_plugin_healthy\{plugin="resting"\}/);
});
