import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  CommonErrors,
  SDK_VERSION,
  Secret,
  Type,
  createExtensionPoint,
  createServiceRef,
  defineError,
  definePlugin,
  ErrorResponseSchema,
  errorResponses,
  extensionPoints,
  isDefinedPlugin,
  isHostplaneError,
  isSecretSchema,
  type WebServerDriver,
} from '@hostplane/sdk';
import {
  mockAudit,
  mockClock,
  mockEvents,
  mockExtensions,
  mockJobs,
  mockMailer,
  mockSettings,
  mockTasks,
} from '@hostplane/sdk/testing';

t.test('SDK_VERSION follows package.json', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  t.equal(SDK_VERSION, pkg.version);
});

t.test('defineError makes factories with stable codes', async (t) => {
  const NotFound = defineError(
    'DEMO_ERR_NOT_FOUND',
    404,
    (id: string) => `no ${id}`,
    (id: string) => ({ id }),
  );
  const err = NotFound('x');
  t.equal(err.code, 'DEMO_ERR_NOT_FOUND');
  t.equal(err.statusCode, 404);
  t.equal(err.message, 'no x');
  t.same(err.details, { id: 'x' });
  t.ok(NotFound.is(err));
  t.notOk(NotFound.is(new Error('no x')));
  t.ok(isHostplaneError(err));
  t.ok(isHostplaneError({ name: 'HostplaneError', code: 'A_ERR_B', statusCode: 400 }), 'works across SDK copies');
  t.throws(() => defineError('bad code', 400, 'x'), /AREA_ERR_DETAIL/);
  t.equal(CommonErrors.vetoed('e', 'r').statusCode, 409);
});

t.test('service refs and extension points validate their ids', async (t) => {
  const ref = createServiceRef<{ hi(): string }>('demo.greeter');
  t.equal(ref.token, Symbol.for('hostplane.demo.greeter'));
  t.equal(ref.capability, undefined);
  t.equal(createServiceRef('core.x', { capability: 'db' }).capability, 'db');
  t.throws(() => createServiceRef('nodot'));
  t.equal(createExtensionPoint('dns').id, 'dns');
  t.throws(() => createExtensionPoint('Not Kebab'));
});

t.test('definePlugin brands a frozen definition; Secret marks schemas', async (t) => {
  const plugin = definePlugin({ id: 'x', sdk: '^0.1.0', config: Type.Object({ key: Secret(Type.String()) }) });
  t.ok(isDefinedPlugin(plugin));
  t.notOk(isDefinedPlugin({ id: 'x' }));
  t.ok(Object.isFrozen(plugin));
  t.ok(isSecretSchema(plugin.config!.properties.key));
  t.notOk(isSecretSchema(Type.String()));
});

t.test('mock services record what was asked of them', async (t) => {
  const clock = mockClock(new Date('2026-01-01T00:00:00Z'));
  clock.advance(1000);
  t.equal(clock.now().toISOString(), '2026-01-01T00:00:01.000Z');
  clock.set(new Date('2030-01-01T00:00:00Z'));
  t.equal(clock.now().getUTCFullYear(), 2030);
  const jobs = mockJobs();
  t.same(await jobs.enqueue('a:b', { n: 1 }), { id: '1' });
  t.same(jobs.enqueued[0], { name: 'a:b', payload: { n: 1 }, options: {} });
  const events = mockEvents();
  events.vetoes.set('user.created', () => {
    throw CommonErrors.vetoed('user.created', 'no');
  });
  await t.rejects(events.guard('user.created', { userId: 'u', role: 'customer', parentId: null }), { code: 'COMMON_ERR_VETOED' });
  await events.emit('plugin.disabled', { pluginId: 'p' });
  t.same(events.emitted, [{ event: 'plugin.disabled', payload: { pluginId: 'p' } }]);
  const tasks = mockTasks({ double: (n) => (n as number) * 2 });
  t.equal(await tasks.run<number, number>('double', 21), 42);
  await t.rejects(tasks.run('missing', 1), /no task "missing"/);
  const mailer = mockMailer();
  await mailer.send({ to: 'a@b.test', subject: 's', text: 't' });
  t.equal(mailer.sent.length, 1);
  const audit = mockAudit();
  await audit.record({ action: 'a.b.c' });
  t.equal(audit.entries.length, 1);
  const settings = mockSettings();
  const value = { nested: [1] };
  await settings.set('k', value);
  value.nested.push(2);
  t.same(await settings.get('k'), { nested: [1] }, 'stored by value');
  await settings.delete('k');
  t.equal(await settings.get('k'), undefined);
  const extensions = mockExtensions();
  t.same(extensions.list(extensionPoints.webServer), []);
  const driver = { id: 'fake' } as unknown as WebServerDriver;
  extensions.add(extensionPoints.webServer, driver);
  t.equal(extensions.list(extensionPoints.webServer)[0], driver);
});

t.test('errorResponses maps each status to the one error body schema', async (t) => {
  const responses = errorResponses(400, 404);
  t.same(Object.keys(responses), ['400', '404']);
  t.equal(responses[404], ErrorResponseSchema);
  t.match(ErrorResponseSchema.properties.error.required, ['code', 'message', 'requestId']);
});
