/**
 * Two hosts behind a balancer enforce one limit: two compiled `hostplane start` processes on
 * one database (DATABASE_URL, so the shared PostgreSQL counters by default; then again with
 * HOSTPLANE_REDIS_URL, so Redis) are asked in turn and at once, from loopback addresses of
 * their own (each its own budget), and the requests they let through add up to the one limit.
 * Failed sign-ins are shared the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestDatabase } from '@hostplane/core';
import { REPO, cli, until } from './support/cli.js';
import { REDIS_URL, freshLoopback, redisMissing } from './support/redis.js';

const entry = join(REPO, 'host/dist/cli/main.js');
const MAX = 6;

interface Answer {
  status: number;
  remaining: string | undefined;
}

/** GET `path` on `base` from the loopback address `from` (its own rate-limit key). */
function get(base: string, path: string, from: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { localAddress: from, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, remaining: res.headers['ratelimit-remaining'] as string }));
    });
    req.on('error', reject);
    req.end();
  });
}

const notBuilt = existsSync(entry) ? false : 'host/dist is not built (npm run build builds it)';
const stores = [
  { store: 'postgres', env: {}, skip: notBuilt },
  { store: 'redis', env: { HOSTPLANE_REDIS_URL: REDIS_URL }, skip: notBuilt || (await redisMissing()) },
];

for (const { store, env: storeEnv, skip } of stores) {
  t.test(`two host processes enforce one rate limit (${store} counters)`, { skip }, async (t) => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'hp-rl-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      HOSTPLANE_DATA_DIR: dataDir,
      HOSTPLANE_PORT: '0',
      HOSTPLANE_RATE_LIMIT_MAX: String(MAX),
      HOSTPLANE_LOG_LEVEL: 'warn',
      ...storeEnv,
    };
    delete env.NODE_OPTIONS;
    delete env.HOSTPLANE_RATE_LIMIT_STORE;
    const children: ChildProcess[] = [];
    t.teardown(async () => {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    // An administrator exists (so the start is not a first run) and the plugin that signs people in runs.
    for (const argv of [
      ['migrate', 'up'],
      ['admin', 'create', '--email', 'ops@example.test'],
      ['plugins', 'enable', 'auth'],
    ]) {
      const r = await cli(argv, env);
      t.equal(r.code, 0, `hostplane ${argv.join(' ')} ${r.err}`);
    }

    const start = async (): Promise<string> => {
      const child = spawn(process.execPath, [entry, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      return until('the host to listen', async () => {
        if (child.exitCode !== null) throw new Error(`the host exited: ${out}`);
        return /running at (http:\/\/\S+)/.exec(out)?.[1];
      });
    };
    const [a, b] = await Promise.all([start(), start()]);
    t.not(a, b, 'two processes, two addresses');

    t.test('asked in turn, the hosts count down one budget', async (t) => {
      const from = freshLoopback();
      const answers: Answer[] = [];
      for (let i = 0; i < MAX + 2; i += 1) answers.push(await get(i % 2 === 0 ? a : b, '/v1/no-such-route', from));
      t.same(
        answers.map((x) => x.status),
        [...Array<number>(MAX).fill(404), 429, 429],
        'the 7th request is refused, though each host has seen only 3 or 4',
      );
      t.same(
        answers.slice(0, MAX).map((x) => x.remaining),
        ['5', '4', '3', '2', '1', '0'],
        'RateLimit-Remaining counts across both hosts',
      );
      const other = await get(a, '/v1/no-such-route', freshLoopback());
      t.equal(other.status, 404, 'another address has its own budget');
    });

    t.test('requests arriving at once on both hosts cannot pass the limit together', async (t) => {
      const from = freshLoopback();
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => get(i % 2 === 0 ? a : b, '/v1/no-such-route', from)),
      );
      t.equal(answers.filter((x) => x.status === 404).length, MAX, `exactly ${MAX} of 30 got through`);
      t.equal(answers.filter((x) => x.status === 429).length, 30 - MAX, 'the rest were refused');
    });

    t.test('failed sign-ins count against one budget on both hosts', async (t) => {
      const from = freshLoopback();
      const bad = { authorization: 'Bearer hp_not-a-real-token' };
      const statuses: number[] = [];
      for (let i = 0; i < MAX + 2; i += 1) statuses.push((await get(i % 2 === 0 ? a : b, '/v1/no-such-route', from, bad)).status);
      t.same(statuses.slice(MAX), [429, 429], `past ${MAX} failures from the address, both hosts answer 429`);
      t.same(statuses.slice(0, MAX), Array<number>(MAX).fill(401), 'the failures before were looked up and refused');
    });
  });
}
