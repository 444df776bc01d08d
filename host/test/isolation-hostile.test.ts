/**
 * A third-party plugin run isolated tries what a hostile one would; each attempt is refused or
 * contained, and the host keeps answering /health and another plugin's route throughout.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { TestHost } from '@hostplane/sdk/testing';
import { startTestHost } from '@hostplane/testing';
import { bystander, keepsServing } from './support/keeps-serving.js';

const probeDir = fileURLToPath(new URL('./fixtures/isolated/probe/', import.meta.url)).replace(/\/$/, '');
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.HOSTPLANE_REQUIRE_SYSTEM !== '1') {
  t.skip('isolation runs each plugin as its own system user: needs root');
  process.exit(0);
}

async function boot(): Promise<TestHost> {
  return startTestHost({
    plugins: [bystander, { dir: probeDir }],
    enable: ['bystander', 'probe'],
    isolation: {
      heartbeatMs: 100,
      // Well under the probe's 10 s busy loop, and above what a starved process misses on a
      // loaded CI machine (1.5 s killed a healthy probe at load 20).
      heartbeatTimeoutMs: 4000,
      memoryMb: 64,
      rssMb: 256,
      backoff: { initialMs: 200, maxMs: 1000 },
    },
  });
}

interface Attempt {
  outcome: 'allowed' | 'refused';
  code?: string;
  value?: unknown;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function probeBack(host: TestHost): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const res = await host.inject({ method: 'GET', url: '/v1/probe/whoami' });
    if (res.statusCode === 200) return true;
    await wait(100);
  }
  return false;
}

function healthOf(host: TestHost): Promise<{ state: string; reason: string | null } | null> {
  return host
    .inject({ method: 'GET', url: '/v1/plugins', headers: host.headersFor('super_admin') })
    .then((res) => res.json<{ items: Array<{ id: string; health: { state: string; reason: string | null } | null }> }>())
    .then((body) => body.items.find((p) => p.id === 'probe')?.health ?? null);
}

t.test('an isolated plugin is refused what its manifest does not grant', async (t) => {
  const host = await boot();
  t.teardown(() => host.close());
  t.equal(host.kernel.plugin('probe')?.state, 'started', JSON.stringify(host.kernel.plugin('probe')?.error));

  const who = (await host.inject({ method: 'GET', url: '/v1/probe/whoami' })).json<{ uid: number; env: string[] }>();
  t.not(who.uid, 0, 'not root');
  t.ok(who.uid >= 620_000 && who.uid < 630_000, 'its own user, in the plugin id band');
  t.same(who.env, ['HOSTPLANE_PLUGIN_ID', 'NODE_ENV'], 'nothing of the host environment');

  const attempts: Array<[string, string]> = [
    ['/shadow', 'reading /etc/shadow'],
    ['/spawn', 'spawning `id`'],
    ['/worker', 'starting a worker thread'],
    ['/core', 'importing @hostplane/core'],
    ['/write-outside', 'writing outside its data folder'],
    ['/undeclared-service', 'a service it did not declare'],
    ['/raw-rpc', 'calling the kernel past the SDK for an undeclared service'],
  ];
  for (const [path, what] of attempts) {
    const res = await host.inject({ method: 'GET', url: `/v1/probe${path}` });
    t.equal(res.statusCode, 200, `${what}: the route itself answers`);
    const body = res.json<Attempt>();
    t.equal(body.outcome, 'refused', `${what}: refused (${body.code ?? ''})`);
  }
  const own = (await host.inject({ method: 'GET', url: '/v1/probe/write-own' })).json<Attempt>();
  t.equal(own.outcome, 'allowed', 'writing its own data folder is allowed');

  const headers = await host.inject({ method: 'GET', url: '/v1/probe/headers', headers: { origin: 'https://evil.example' } });
  t.equal(headers.headers['set-cookie'], undefined, 'no cookie on the host origin');
  t.not(headers.headers['access-control-allow-origin'], 'https://evil.example', 'no wider CORS');
  t.not(headers.headers['x-frame-options'], 'ALLOWALL', "the host's security headers stand");
  t.equal(headers.headers['x-probe'], 'kept', 'its own headers pass');

  const streamed = await host.inject({ method: 'GET', url: '/v1/probe/stream' });
  t.equal(streamed.statusCode, 200);
  t.equal(streamed.body, 'one\ntwo\nthree\n', 'a streamed body arrives whole');
  t.match(String(streamed.headers['content-type']), /^text\/plain/);
});

t.test('a 10 s busy loop is killed, answered 503, and the plugin comes back degraded', async (t) => {
  const host = await boot();
  t.teardown(() => host.close());
  const busy = host.inject({ method: 'GET', url: '/v1/probe/busy' });
  const rounds = await keepsServing(t, host, busy);
  t.ok(rounds > 3, `the host answered ${rounds} rounds meanwhile`);
  const res = await busy;
  t.equal(res.statusCode, 503);
  t.match(res.json(), { error: { code: 'KERNEL_ERR_PLUGIN_UNAVAILABLE', requestId: String } });
  t.ok(await probeBack(host), 'restarted');
  const health = await healthOf(host);
  t.equal(health?.state, 'degraded');
  t.match(health?.reason ?? '', /no heartbeat/);
});

t.test('unbounded allocation is contained', async (t) => {
  const host = await boot();
  t.teardown(() => host.close());
  const hog = host.inject({ method: 'GET', url: '/v1/probe/alloc' });
  await keepsServing(t, host, hog);
  const res = await hog;
  t.equal(res.statusCode, 503);
  t.equal(res.json<{ error: { code: string } }>().error.code, 'KERNEL_ERR_PLUGIN_UNAVAILABLE');
  t.ok(await probeBack(host), 'restarted');
  t.equal((await healthOf(host))?.state, 'degraded');
});

t.test('a crash restarts with growing delays; disabling ends the process', async (t) => {
  const host = await boot();
  t.teardown(() => host.close());
  for (let i = 0; i < 3; i++) {
    const res = await host.inject({ method: 'POST', url: '/v1/probe/crash' });
    t.equal(res.statusCode, 503, 'the call in flight answers 503');
    t.ok(await probeBack(host), `back after crash ${i + 1}`);
  }
  // The delays the supervisor chose (wall-clock gaps add process starts, which vary with load).
  const delays = host
    .logs()
    .filter((l) => l.msg === 'isolated plugin died; restarting' && l.plugin === 'probe')
    .map((l) => l.restartInMs);
  t.same(delays, [200, 400, 800], 'each restart waits longer: 200, 400, 800 ms (initial 200, doubling)');
  const health = await healthOf(host);
  t.equal(health?.state, 'degraded');
  t.match(health?.reason ?? '', /exited with code 3.*restart 3/);

  const { pid } = (await host.inject({ method: 'GET', url: '/v1/probe/whoami' })).json<{ pid: number }>();
  t.doesNotThrow(() => process.kill(pid, 0), 'its process runs');
  await host.kernel.disable('probe');
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'disabled: no process left behind');
  const gone = await host.inject({ method: 'GET', url: '/v1/probe/whoami' });
  t.equal(gone.statusCode, 404);
});
