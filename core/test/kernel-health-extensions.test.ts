import t from 'tap';
import { coreServices, createExtensionPoint, definePlugin, type ExtensionsService, type RuntimeContext } from '@hostplane/sdk';
import { bootKernel } from './support/kernel.js';

interface Greeter {
  greet(name: string): string;
}
const greeters = createExtensionPoint<Greeter>('greeter');

t.test('a started plugin reports degraded health with a reason, and recovers', async (t) => {
  let runtime: RuntimeContext<unknown, unknown> | undefined;
  const flaky = definePlugin({
    id: 'flaky',
    sdk: '^0.1.0',
    start(ctx) {
      runtime = ctx as unknown as RuntimeContext<unknown, unknown>;
      ctx.reportHealth('degraded', 'binary missing: /usr/sbin/thing');
    },
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: flaky }], enable: ['flaky'] });
  t.match(kernel.plugin('flaky'), { state: 'started', health: { state: 'degraded', reason: 'binary missing: /usr/sbin/thing' } });
  const health = await kernel.health();
  t.equal(health.ok, true, 'a degraded plugin does not make the host unhealthy');
  t.match(
    health.plugins.find((p) => p.id === 'flaky'),
    { health: { state: 'degraded' } },
  );
  runtime!.reportHealth('ok');
  t.match(kernel.plugin('flaky')?.health, { state: 'ok', reason: null });
  t.throws(() => runtime!.reportHealth('broken' as 'ok'), /must be "ok" or "degraded"/);

  const stale = runtime!;
  await kernel.disable('flaky');
  t.equal(kernel.plugin('flaky')?.health, null, 'nothing reported while not started');
  await kernel.enable('flaky');
  t.match(kernel.plugin('flaky')?.health, { state: 'degraded' }, 'each start reports afresh');
  stale.reportHealth('ok');
  t.match(kernel.plugin('flaky')?.health, { state: 'degraded' }, 'a report from a stopped run is ignored');
});

t.test('extension implementations are looked up live, from started plugins only', async (t) => {
  let extensions: ExtensionsService | undefined;
  const english = definePlugin({
    id: 'english',
    sdk: '^0.1.0',
    provides: ['greeter'],
    setup(ctx) {
      ctx.extend(greeters, { greet: (name) => `Hello ${name}` });
    },
  });
  const consumer = definePlugin({
    id: 'consumer',
    sdk: '^0.1.0',
    deps: { extensions: coreServices.extensions },
    setup(ctx) {
      extensions = ctx.deps.extensions;
    },
  });
  const kernel = await bootKernel(t, {
    inlinePlugins: [{ definition: english }, { definition: consumer }],
    enable: ['consumer'],
  });
  t.same(extensions!.list(greeters), [], 'none while the implementer is disabled');
  await kernel.enable('english');
  t.same(
    extensions!.list(greeters).map((g) => g.greet('Ada')),
    ['Hello Ada'],
  );
  await kernel.disable('english');
  t.same(extensions!.list(greeters), []);
});
