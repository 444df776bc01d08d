import { Type, type RouteRegistrar } from '@hostplane/sdk';
import t from 'tap';
import { FakeKernel, TokenAuthenticator } from './helpers/fake-kernel.js';
import { bearer, startGateway } from './helpers/host.js';

const ADMIN = ['platform.plugins.read', 'platform.plugins.manage'];

const greetings: RouteRegistrar = (app) => {
  app.get(
    '/',
    {
      config: { public: true },
      schema: { summary: 'Say hello', response: { 200: Type.Object({ text: Type.String() }) } },
    },
    async () => ({ text: 'hello' }),
  );
};

function kernel(): FakeKernel {
  return new FakeKernel([
    { id: 'greetings', routes: greetings, enabled: false },
    { id: 'always', routes: (app) => void app.get('/', { config: { public: true } }, async () => ({ ok: true })) },
  ]).addAuthenticator(new TokenAuthenticator().grant('admin', 'root', ADMIN));
}

async function openApiPaths(inject: (url: string) => Promise<{ json(): unknown }>): Promise<string[]> {
  const doc = (await inject('/v1/openapi.json')).json() as { paths: Record<string, unknown> };
  return Object.keys(doc.paths);
}

t.test('enabling a plugin serves its routes; disabling it 404s them; OpenAPI follows', async (t) => {
  const { host, kernel: k } = await startGateway(t, kernel());
  const get = (url: string) => host.inject({ method: 'GET', url });

  t.equal((await get('/v1/greetings')).statusCode, 404, 'disabled: not served');
  t.notOk((await openApiPaths(get)).includes('/v1/greetings/'), 'disabled: not documented');
  const firstApp = host.app();

  const enabled = await host.inject({ method: 'POST', url: '/v1/plugins/greetings/enable', headers: bearer('admin') });
  t.equal(enabled.statusCode, 200);
  t.equal(enabled.json().state, 'started');
  t.not(host.app(), firstApp, 'a new generation serves');
  t.same((await get('/v1/greetings')).json(), { text: 'hello' });
  t.ok((await openApiPaths(get)).includes('/v1/greetings/'), 'enabled: documented');
  t.same(
    k.audits.map((a) => a.action),
    ['platform.plugin.enabled'],
  );

  const disabled = await host.inject({ method: 'POST', url: '/v1/plugins/greetings/disable', headers: bearer('admin') });
  t.equal(disabled.statusCode, 200);
  t.equal((await get('/v1/greetings')).statusCode, 404, 'disabled again: 404');
  t.notOk((await openApiPaths(get)).includes('/v1/greetings/'));
  t.equal((await get('/v1/always')).statusCode, 200, 'other plugins never stopped answering');
});

t.test('the same document is at /docs/json and /v1/openapi.json', async (t) => {
  const { host } = await startGateway(t, kernel());
  const a = await host.inject({ method: 'GET', url: '/docs/json' });
  const b = await host.inject({ method: 'GET', url: '/v1/openapi.json' });
  t.same(a.json(), b.json());
  const doc = b.json() as {
    openapi: string;
    info: { title: string };
    paths: Record<string, Record<string, { security?: unknown; 'x-permission'?: string }>>;
  };
  t.match(doc.openapi, /^3\./);
  t.equal(doc.info.title, 'Hostplane');
  t.equal(doc.paths['/v1/plugins']?.get?.['x-permission'], 'platform.plugins.read', 'operations say who may call them');
  t.same(doc.paths['/health']?.get?.security, [], 'public operations need no credentials');
});

t.test('changes arriving during a rebuild are coalesced into one more build', async (t) => {
  const { host, kernel: k } = await startGateway(t, kernel());
  let builds = 0;
  const routes = k.routes.bind(k);
  k.routes = () => {
    builds++;
    return routes();
  };
  const before = host.app();
  const first = k.emitChange();
  // Let the first build start; the next three arrive while it runs.
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(builds, 1, 'the first build has started');
  await Promise.all([first, k.emitChange(), k.emitChange(), k.emitChange()]);
  t.equal(builds, 2, 'one build for the three changes that arrived during the first');
  t.not(host.app(), before);
});

t.test('a request in flight finishes on the old generation after a swap', async (t) => {
  let release!: () => void;
  let started!: () => void;
  const handlerStarted = new Promise<void>((resolve) => (started = resolve));
  const k = new FakeKernel([
    {
      id: 'slow',
      routes: (app) =>
        void app.get('/', { config: { public: true } }, async () => {
          started();
          await new Promise<void>((resolve) => (release = resolve));
          return { done: true };
        }),
    },
  ]);
  const { host } = await startGateway(t, k);
  const old = host.app();
  const pending = host.inject({ method: 'GET', url: '/v1/slow' });
  await handlerStarted;
  await k.emitChange();
  t.not(host.app(), old, 'swapped while the request is running');
  release();
  const res = await pending;
  t.equal(res.statusCode, 200);
  t.same(res.json(), { done: true });
});

t.test('a plugin whose schema cannot compile is dropped at ready()', async (t) => {
  const k = new FakeKernel([
    {
      id: 'badschema',
      routes: (app) =>
        void app.post(
          '/',
          { config: { public: true }, schema: { body: { type: 'object', properties: { a: { type: 'no-such-type' } } } } },
          async () => ({}),
        ),
    },
    { id: 'fine', routes: (app) => void app.get('/', { config: { public: true } }, async () => ({ ok: true })) },
  ]);
  const { host } = await startGateway(t, k);
  t.same(
    k.failures.map((f) => f.id),
    ['badschema'],
  );
  t.equal((await host.inject({ method: 'GET', url: '/v1/fine' })).statusCode, 200);
});

t.test('a plugin whose nested registration fails is dropped', async (t) => {
  const k = new FakeKernel([
    {
      id: 'nested',
      routes: (app) => {
        app.get('/ok', { config: { public: true } }, async () => ({}));
        app.register(async () => {
          throw new Error('child plugin failed');
        });
      },
    },
    { id: 'fine', routes: (app) => void app.get('/', { config: { public: true } }, async () => ({ ok: true })) },
  ]);
  const { host } = await startGateway(t, k);
  t.same(
    k.failures.map((f) => f.id),
    ['nested'],
  );
  t.equal((await host.inject({ method: 'GET', url: '/v1/nested/ok' })).statusCode, 404);
  t.equal((await host.inject({ method: 'GET', url: '/v1/fine' })).statusCode, 200);
});

t.test('a route prefix that is not a plain path drops the plugin', async (t) => {
  const k = new FakeKernel([
    { id: 'weird', prefix: '/../admin', routes: (app) => void app.get('/', { config: { public: true } }, async () => ({})) },
  ]);
  await startGateway(t, k);
  t.equal((k.failures[0]?.error as { code?: string }).code, 'HOST_ERR_INVALID_ROUTE_PREFIX');
});

t.test('a plugin colliding with a core route is dropped, the core route kept', async (t) => {
  const k = new FakeKernel([
    {
      id: 'impostor',
      prefix: '/plugins',
      routes: (app) => void app.get('/', { config: { public: true } }, async () => ({ mine: true })),
    },
  ]).addAuthenticator(new TokenAuthenticator().grant('admin', 'root', ADMIN));
  const { host } = await startGateway(t, k);
  t.same(
    k.failures.map((f) => f.id),
    ['impostor'],
  );
  const res = await host.inject({ method: 'GET', url: '/v1/plugins', headers: bearer('admin') });
  t.equal(res.statusCode, 200);
  t.ok(Array.isArray(res.json().items));
});
