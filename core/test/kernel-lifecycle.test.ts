import t from 'tap';
import { Type, coreServices, createServiceRef, definePlugin } from '@hostplane/sdk';
import { bootKernel, sharedDatabase } from './support/kernel.js';

const calls: string[] = [];

const good = definePlugin({
  id: 'good',
  sdk: '^0.1.0',
  permissions: ['http:routes', 'db'],
  rbac: { 'good.thing.read': { description: 'read things', roles: ['customer'] } },
  setup(ctx) {
    calls.push('good:setup');
    ctx.routes((app) => {
      app.get('/', { config: { public: true } }, async () => ({ ok: true }));
    });
  },
  start() {
    calls.push('good:start');
  },
  stop() {
    calls.push('good:stop');
  },
});

const throwsInSetup = definePlugin({
  id: 'bad-setup',
  sdk: '^0.1.0',
  setup() {
    throw new Error('setup exploded');
  },
});

const throwsInStart = definePlugin({
  id: 'bad-start',
  sdk: '^0.1.0',
  start() {
    throw new Error('start exploded');
  },
});

const undeclared = definePlugin({
  id: 'sneaky',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  setup(ctx) {
    ctx.get(coreServices.mailer);
  },
});

t.test('a plugin goes discovered → started → disabled, with its hooks called in order', async (t) => {
  calls.length = 0;
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: good, version: '1.2.3' }] });
  t.equal(kernel.plugin('good')?.state, 'discovered');
  t.same(kernel.routes(), []);
  const started = await kernel.enable('good');
  t.equal(started.state, 'started');
  t.equal(started.version, '1.2.3');
  t.same(calls, ['good:setup', 'good:start']);
  t.equal(kernel.routes().length, 1);
  t.ok(kernel.permissionsOf('customer').has('good.thing.read'));
  t.notOk(kernel.permissionsOf('reseller').has('good.thing.read'));
  t.ok(kernel.permissionsOf('super_admin').has('good.thing.read'));
  const disabled = await kernel.disable('good');
  t.equal(disabled.state, 'disabled');
  t.same(calls, ['good:setup', 'good:start', 'good:stop']);
  t.same(kernel.routes(), []);
  t.notOk(kernel.permissionsOf('super_admin').has('good.thing.read'));
});

t.test('a plugin throwing in setup or start is failed by name while others keep running', async (t) => {
  const kernel = await bootKernel(t, {
    inlinePlugins: [{ definition: good }, { definition: throwsInSetup }, { definition: throwsInStart }],
    enable: ['good', 'bad-setup', 'bad-start'],
  });
  t.equal(kernel.plugin('good')?.state, 'started');
  t.match(kernel.plugin('bad-setup'), { state: 'failed', error: { phase: 'setup', message: 'setup exploded' } });
  t.match(kernel.plugin('bad-start'), { state: 'failed', error: { phase: 'start', message: 'start exploded' } });
  const health = await kernel.health();
  t.equal(health.ok, true);
  t.match(
    health.plugins.find((p) => p.id === 'bad-setup'),
    { state: 'failed', error: 'setup exploded' },
  );
  await t.rejects(kernel.enable('bad-setup'), { code: 'KERNEL_ERR_PLUGIN_FAILED' });
});

t.test('asking for a service without declaring its capability fails the plugin with a clear error', async (t) => {
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: undeclared }] });
  await t.rejects(kernel.enable('sneaky'), { code: 'KERNEL_ERR_PLUGIN_FAILED' });
  const status = kernel.plugin('sneaky');
  t.equal(status?.state, 'failed');
  t.match(status?.error?.message, /asked for core\.mailer but did not declare the "mailer" permission/);
});

t.test('registering without the capability is refused', async (t) => {
  const noRoutes = definePlugin({
    id: 'no-routes',
    sdk: '^0.1.0',
    setup(ctx) {
      ctx.routes(() => {});
    },
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: noRoutes }] });
  await t.rejects(kernel.enable('no-routes'));
  t.match(kernel.plugin('no-routes')?.error?.message, /"http:routes"/);
});

t.test('a page parameter may not be called "me": that is the signed-in user', async (t) => {
  const pages = definePlugin({
    id: 'pages',
    sdk: '^0.1.0',
    setup(ctx) {
      ctx.page({ id: 'mine', title: 'Mine', params: ['me'], sections: [{ kind: 'text', text: 'x' }] });
    },
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: pages }] });
  await t.rejects(kernel.enable('pages'));
  t.match(kernel.plugin('pages')?.error?.message, /"me" is the signed-in user/);
});

t.test('the enabled set and config survive a restart', async (t) => {
  const configured = definePlugin({
    id: 'configured',
    sdk: '^0.1.0',
    config: Type.Object({ greeting: Type.String({ default: 'Hello' }), size: Type.Integer({ default: 1, minimum: 1 }) }),
    setup() {},
  });
  const db = await sharedDatabase(t);
  const first = await bootKernel(t, { db, inlinePlugins: [{ definition: configured }] });
  await first.enable('configured');
  t.same(await first.getConfig('configured'), { greeting: 'Hello', size: 1 });
  await first.setConfig('configured', { greeting: 'Hi', size: 3 });
  await t.rejects(first.setConfig('configured', { greeting: 'Hi', size: 0 }), {
    code: 'KERNEL_ERR_CONFIG_INVALID',
    details: [{ field: '/size' }],
  });
  await first.stop();
  const second = await bootKernel(t, { db, inlinePlugins: [{ definition: configured }] });
  t.equal(second.plugin('configured')?.state, 'started');
  t.same(await second.getConfig('configured'), { greeting: 'Hi', size: 3 });
});

t.test('stop is told why: reconfigure on a config change, disable on disable, shutdown when the host stops', async (t) => {
  const reasons: string[] = [];
  const told = definePlugin({
    id: 'told',
    sdk: '^0.1.0',
    config: Type.Object({ size: Type.Integer({ default: 1 }) }),
    stop(ctx) {
      reasons.push(ctx.reason);
    },
  });
  const db = await sharedDatabase(t);
  const first = await bootKernel(t, { db, inlinePlugins: [{ definition: told }] });
  await first.enable('told');
  await first.setConfig('told', { size: 2 });
  await first.disable('told');
  await first.enable('told');
  await first.stop();
  t.same(reasons, ['reconfigure', 'disable', 'shutdown']);
});

t.test('services provided by one plugin reach the plugins that require it, and only those', async (t) => {
  interface Greeter {
    greet(name: string): string;
  }
  const greeterRef = createServiceRef<Greeter>('provider.greeter');
  let greeting = '';
  const provider = definePlugin({
    id: 'provider',
    sdk: '^0.1.0',
    setup(ctx) {
      ctx.provide(greeterRef, () => ({ greet: (name) => `hi ${name}` }));
    },
  });
  const consumer = definePlugin({
    id: 'consumer',
    sdk: '^0.1.0',
    requires: { provider: '^1.0.0' },
    deps: { greeter: greeterRef },
    start(ctx) {
      greeting = ctx.deps.greeter.greet('ada');
    },
  });
  const stranger = definePlugin({
    id: 'stranger',
    sdk: '^0.1.0',
    deps: { greeter: greeterRef },
  });
  const kernel = await bootKernel(t, {
    inlinePlugins: [{ definition: provider, version: '1.4.0' }, { definition: consumer }, { definition: stranger }],
  });
  await t.rejects(kernel.enable('consumer'), { code: 'KERNEL_ERR_DEPENDENCY_NOT_ENABLED' });
  await kernel.enable('provider');
  await kernel.enable('consumer');
  t.equal(greeting, 'hi ada');
  await t.rejects(kernel.disable('provider'), { code: 'KERNEL_ERR_DEPENDENTS_ENABLED' });
  await t.rejects(kernel.enable('stranger'), { code: 'KERNEL_ERR_PLUGIN_FAILED' });
  t.match(kernel.plugin('stranger')?.error?.message, /does not require plugin "provider"/);
});

t.test('secrets are masked when shown and kept when the mask is sent back', async (t) => {
  const { Secret } = await import('@hostplane/sdk');
  const withSecret = definePlugin({
    id: 'with-secret',
    sdk: '^0.1.0',
    config: Type.Object({ apiKey: Secret(Type.String({ default: '' })), region: Type.String({ default: 'eu' }) }),
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: withSecret }] });
  await kernel.setConfig('with-secret', { apiKey: 'sk_live_123', region: 'us' });
  t.same(await kernel.getConfig('with-secret'), { apiKey: '********', region: 'us' });
  await kernel.setConfig('with-secret', { apiKey: '********', region: 'eu' });
  t.same(await kernel.getConfig('with-secret', { revealSecrets: true }), { apiKey: 'sk_live_123', region: 'eu' });
});

t.test('unknown plugins are refused by name', async (t) => {
  const kernel = await bootKernel(t);
  await t.rejects(kernel.enable('nope'), { code: 'KERNEL_ERR_PLUGIN_NOT_FOUND', message: /"nope"/ });
});
