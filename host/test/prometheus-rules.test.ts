/**
 * deploy/prometheus/ is checked by the tools that will read it: promtool checks and unit-tests
 * the alert rules and checks the example config, amtool checks the Alertmanager example, and a
 * real Prometheus scrapes a real host (a kernel with a job that dies) until the dead-job alert
 * fires. Metric names in the rules and the dashboard are the documented ones.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { coreServices, definePlugin, type JobsService } from '@hostplane/sdk';
import t from 'tap';
import { startGateway } from './helpers/host.js';
import { bootKernel, waitFor } from './helpers/kernel.js';
import { REPO, until } from './support/cli.js';
import { freePort } from '@hostplane/testing/free-port';

const run = promisify(execFile);

const DEPLOY = join(REPO, 'deploy/prometheus');

/** Why a tool test cannot run here, or false; a failure instead under HOSTPLANE_REQUIRE_SYSTEM=1. */
function missing(binary: string, pkg: string): string | false {
  if (existsSync(`/usr/bin/${binary}`)) return false;
  const reason = `needs /usr/bin/${binary} (apt-get install ${pkg})`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

const noPromtool = missing('promtool', 'prometheus');
const noPrometheus = missing('prometheus', 'prometheus');
const noAmtool = missing('amtool', 'prometheus-alertmanager');

t.test('promtool accepts the rules and the example config, and the rule tests pass', { skip: noPromtool }, async (t) => {
  const check = await run('promtool', ['check', 'rules', 'hostplane.rules.yml'], { cwd: DEPLOY });
  t.match(check.stdout, /SUCCESS: 13 rules found/);
  const config = await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: DEPLOY });
  t.match(config.stdout, /is valid prometheus config file/);
  const tests = await run('promtool', ['test', 'rules', 'hostplane.rules.test.yml'], { cwd: DEPLOY });
  t.match(tests.stdout, /SUCCESS/);
});

t.test('the rule tests fail when a rule is wrong', { skip: noPromtool }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hp-rules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(join(DEPLOY, 'hostplane.rules.test.yml'), join(dir, 'hostplane.rules.test.yml'));
  const rules = await readFile(join(DEPLOY, 'hostplane.rules.yml'), 'utf8');
  // A host-down alert that waits 10 minutes instead of 2.
  await writeFile(join(dir, 'hostplane.rules.yml'), rules.replace(/(expr: up\{job="hostplane"\} == 0\n\s+for: )2m/, '$110m'));
  const failed = await run('promtool', ['test', 'rules', 'hostplane.rules.test.yml'], { cwd: dir }).then(
    () => undefined,
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  t.ok(failed, 'promtool test rules exits non-zero');
  t.match(`${failed?.stdout}${failed?.stderr}`, /alertname: HostplaneHostDown/);
});

t.test('amtool accepts the Alertmanager example', { skip: noAmtool }, async (t) => {
  const { stdout } = await run('amtool', ['check-config', 'alertmanager.yml'], { cwd: DEPLOY });
  t.match(stdout, /SUCCESS/);
  t.match(stdout, /1 receivers/);
});

t.test('every hostplane_ metric in the rules and the dashboard is documented', async (t) => {
  const readme = await readFile(join(DEPLOY, 'README.md'), 'utf8');
  const documented = new Set([...readme.matchAll(/`(hostplane_[a-z_]+)(?:\{[^}]*\})?`/g)].map((m) => m[1]));
  const sources = [
    await readFile(join(DEPLOY, 'hostplane.rules.yml'), 'utf8'),
    await readFile(join(REPO, 'deploy/grafana/hostplane-dashboard.json'), 'utf8'),
  ].join('\n');
  // Names only: `hostplane_job_queue_*` in a comment is a family, not a metric.
  const used = new Set(
    [...sources.matchAll(/\b(hostplane_[a-z_]*[a-z])\b(?!\*)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, '')),
  );
  t.ok(used.size >= 8, `${used.size} metric names used`);
  for (const name of used) t.ok(documented.has(name), `${name} is in deploy/prometheus/README.md`);
  const dashboard = JSON.parse(await readFile(join(REPO, 'deploy/grafana/hostplane-dashboard.json'), 'utf8')) as {
    panels: Array<{ targets: Array<{ expr: string }> }>;
  };
  t.ok(dashboard.panels.length >= 10, 'the dashboard has its panels');
});

// A plugin whose job always fails on its only attempt: one dead job.
let jobs!: JobsService;
const doomed = definePlugin({
  id: 'doomed',
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
  },
});

t.test('a real Prometheus scraping a host fires the dead-job alert', { skip: noPrometheus }, async (t) => {
  const { kernel } = await bootKernel(t, { plugins: [doomed], runWorkers: true });
  const { host } = await startGateway(t, kernel);
  const base = new URL(await host.listen({ host: '127.0.0.1', port: 0 }));

  let dead = false;
  const off = kernel.jobs.onEvent((event) => {
    if (event.type === 'failed' && event.dead) dead = true;
  });
  t.teardown(off);
  await jobs.enqueue('sync', {});
  await waitFor('the job to die', () => dead);

  // The shipped rules, with every `for` cut to 0 s so the test need not wait 5 minutes.
  const dir = await mkdtemp(join(tmpdir(), 'hp-prom-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rules = await readFile(join(DEPLOY, 'hostplane.rules.yml'), 'utf8');
  await writeFile(join(dir, 'rules.yml'), rules.replace(/^(\s+for: )\S+$/gm, '$10s'));
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [rules.yml]',
      'scrape_configs:',
      `  - { job_name: hostplane, static_configs: [{ targets: ["${base.host}"] }] }`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  prometheus.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise((resolve) => prometheus.once('exit', resolve));
  t.teardown(async () => {
    if (prometheus.exitCode === null) prometheus.kill('SIGTERM');
    await exited;
  });
  const api = `http://127.0.0.1:${port}`;
  await until('Prometheus to be ready', async () => {
    if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    return (await fetch(`${api}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
  });

  const firing = await until(
    'HostplaneDeadJobs to fire',
    async () => {
      const body = (await (await fetch(`${api}/api/v1/alerts`)).json()) as {
        data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
      };
      return body.data.alerts.find((a) => a.labels.alertname === 'HostplaneDeadJobs' && a.state === 'firing');
    },
    30_000,
  );
  t.same(firing.labels, { alertname: 'HostplaneDeadJobs', name: 'doomed:sync', severity: 'warning' });

  const up = (await (await fetch(`${api}/api/v1/query?query=up`)).json()) as {
    data: { result: Array<{ value: [number, string] }> };
  };
  t.equal(up.data.result[0]?.value[1], '1', 'Prometheus scraped the host');
});
