import t from 'tap';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@hostplane/sdk';
import { bootKernel, sharedDatabase } from './support/kernel.js';

// Real plugin packages, each hanging in one phase (see fixtures/plugins/README.md).
const fixtures = fileURLToPath(new URL('./fixtures/plugins/', import.meta.url));
const HANGING = ['hang-setup', 'hang-start', 'hang-migrate', 'hang-stop', 'hang-handler'];
const LIMIT = 200;
const limits = { migrate: LIMIT, setup: LIMIT, start: LIMIT, stop: LIMIT, handler: LIMIT };

const good = definePlugin({ id: 'good', sdk: '^0.1.0', start() {}, stop() {} });

/** Milliseconds `work` took. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

t.test('plugins hanging in setup, start or a migration fail with the phase; boot and changes go on', async (t) => {
  const db = await sharedDatabase(t);
  let kernel!: Awaited<ReturnType<typeof bootKernel>>;
  const bootMs = await timed(async () => {
    kernel = await bootKernel(t, {
      db,
      discovery: { dropInDirs: [fixtures] },
      inlinePlugins: [{ definition: good }],
      enable: HANGING,
      phaseLimits: limits,
    });
  });
  t.ok(bootMs < 20_000, `boot finished (${Math.round(bootMs)} ms)`);
  for (const [id, phase] of [
    ['hang-setup', 'setup'],
    ['hang-start', 'start'],
    ['hang-migrate', 'migrate'],
  ] as const) {
    t.match(kernel.plugin(id), {
      state: 'failed',
      error: { phase, message: new RegExp(`did not finish ${phase} within ${LIMIT} ms`) },
    });
  }
  t.equal(kernel.plugin('hang-stop')?.state, 'started');
  t.equal(kernel.plugin('hang-handler')?.state, 'started');

  const health = await kernel.health();
  t.equal(health.ok, true, 'the health view answers');
  t.match(
    health.plugins.find((p) => p.id === 'hang-start'),
    { state: 'failed', error: /did not finish start/ },
  );

  t.equal((await kernel.enable('good')).state, 'started', 'another plugin can be enabled');
  t.equal((await kernel.disable('good')).state, 'disabled', 'and disabled');

  // The hung migration's statement was cancelled: its connection and migration lock are free,
  // so an admin retry fails the same way rather than on a lock.
  await t.rejects(kernel.enable('hang-migrate'), { code: 'KERNEL_ERR_PLUGIN_FAILED', message: /did not finish migrate/ });

  const disabled = await kernel.disable('hang-stop');
  t.match(disabled, { state: 'failed', enabled: false, error: { phase: 'stop', message: /did not finish stop/ } });

  const stopMs = await timed(() => kernel.stop());
  t.ok(stopMs < 5000, `shutdown finished (${Math.round(stopMs)} ms)`);

  // The next boot (hang-start still enabled, its old query terminated at shutdown) answers too.
  const next = await bootKernel(t, { db, discovery: { dropInDirs: [fixtures] }, phaseLimits: limits });
  t.equal((await next.health()).ok, true);
  t.equal(next.plugin('hang-start')?.error?.phase, 'start');
});

t.test('a hanging event handler is logged against its plugin and abandoned; a hanging before-hook vetoes', async (t) => {
  const kernel = await bootKernel(t, {
    discovery: { dropInDirs: [fixtures] },
    enable: ['hang-handler', 'hang-stop'],
    phaseLimits: limits,
  });
  const events = kernel.events.forSource('core');
  const emitMs = await timed(() => events.emit('user.created', { userId: 'u1', role: 'customer', parentId: null }));
  t.ok(emitMs < LIMIT * 5, `the emitter went on after the limit (${Math.round(emitMs)} ms)`);
  t.match(kernel.plugin('hang-handler'), {
    state: 'started',
    error: { phase: 'event:user.created', message: /did not finish event:user\.created within 200 ms/ },
  });
  await t.rejects(events.guard('user.created', { userId: 'u2', role: 'reseller', parentId: null }), {
    code: 'KERNEL_ERR_PHASE_TIMEOUT',
  });
  await events.guard('user.created', { userId: 'u3', role: 'customer', parentId: null });

  const stopMs = await timed(() => kernel.stop());
  t.ok(stopMs < 5000, `shutdown with a plugin that never stops finished (${Math.round(stopMs)} ms)`);
});

t.test('a start that resolves after its limit is ignored: the plugin stays failed, stopped once', async (t) => {
  const calls: string[] = [];
  const late = definePlugin({
    id: 'late',
    sdk: '^0.1.0',
    start: () => new Promise<void>((resolve) => setTimeout(() => (calls.push('start resolved'), resolve()), LIMIT * 2)),
    stop() {
      calls.push('stop');
    },
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: late }], phaseLimits: limits });
  await t.rejects(kernel.enable('late'), { code: 'KERNEL_ERR_PLUGIN_FAILED', message: /did not finish start/ });
  await new Promise((resolve) => setTimeout(resolve, LIMIT * 3));
  t.same(calls, ['stop', 'start resolved']);
  t.match(kernel.plugin('late'), { state: 'failed', error: { phase: 'start' } });
  t.same(kernel.routes(), []);
});

t.test('phase limits must be positive whole milliseconds', async (t) => {
  await t.rejects(bootKernel(t, { phaseLimits: { start: 0 } }), /phase limit "start"/);
});
