import t from 'tap';
import { startInBackground, type StartAttempt } from '../src/index.js';

function context() {
  const health: Array<[string, string | undefined]> = [];
  const errors: unknown[] = [];
  const abort = new AbortController();
  const logger = {
    error: (obj: unknown) => errors.push(obj),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
    fatal: () => undefined,
    child: () => logger,
  };
  return {
    health,
    errors,
    abort,
    ctx: {
      reportHealth: (state: 'ok' | 'degraded', reason?: string) => health.push([state, reason]),
      signal: abort.signal,
      logger: logger as never,
    },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('resolves before the attempt ends; retries while not ready; reports each outcome', async (t) => {
  const { ctx, health } = context();
  const outcomes: StartAttempt[] = [{ ready: false, reason: 'port 3307 is taken' }, { ready: true }];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let attempts = 0;
  const started = await startInBackground(ctx, {
    what: 'mariadbd',
    retryMs: 20,
    attempt: async () => {
      attempts++;
      if (attempts === 1) await gate;
      return outcomes.shift() ?? { ready: true };
    },
  });
  t.same(health, [], 'start did not wait for the attempt');
  release();
  for (let i = 0; i < 100 && health.length < 2; i++) await wait(10);
  t.same(health, [
    ['degraded', 'port 3307 is taken'],
    ['ok', undefined],
  ]);
  await wait(60);
  t.equal(attempts, 2, 'no attempt after ready');
  await started.stop();
});

t.test('a preflight problem: the first attempt runs before it resolves; a throw is degraded and logged', async (t) => {
  const { ctx, health, errors } = context();
  const started = await startInBackground(ctx, {
    what: 'the web server',
    retryMs: 10_000,
    preflight: () => 'nginx not found at /usr/sbin/nginx',
    attempt: async () => {
      throw new Error('nginx not found at /usr/sbin/nginx');
    },
  });
  t.same(health, [['degraded', 'nginx not found at /usr/sbin/nginx']], 'reported before start resolved');
  t.equal(errors.length, 1);
  await started.stop();
});

t.test('stop cancels the retry and waits for the attempt in flight; nothing is reported after', async (t) => {
  const { ctx, health } = context();
  let attempts = 0;
  let finish!: () => void;
  const started = await startInBackground(ctx, {
    what: 'pdns_server',
    retryMs: 10,
    attempt: async () => {
      attempts++;
      if (attempts === 2) await new Promise<void>((r) => (finish = r));
      return { ready: false, reason: 'down' };
    },
  });
  for (let i = 0; i < 100 && attempts < 2; i++) await wait(5);
  let stopped = false;
  const stopping = started.stop().then(() => (stopped = true));
  await wait(20);
  t.notOk(stopped, 'waits for the attempt in flight');
  finish();
  await stopping;
  const reported = health.length;
  await wait(50);
  t.equal(attempts, 2, 'no retry after stop');
  t.equal(health.length, reported, 'nothing reported after stop');
});
