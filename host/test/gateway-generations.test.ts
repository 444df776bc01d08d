import { listAudit } from '@hostplane/core';
import { Type, type RouteRegistrar } from '@hostplane/sdk';
import Fastify from 'fastify';
import t from 'tap';
import { registerPluginRoutes } from '../src/server/plugin-routes.js';
import type { HostApp } from '../src/server/types.js';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel, failureOf, waitFor, watchSubscriptions } from './helpers/kernel.js';
import { routesPlugin, tokenAuthPlugin, USER } from './helpers/plugins.js';

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

const fine = (): RouteRegistrar => (app) => void app.get('/', { config: { public: true } }, async () => ({ ok: true }));

let release: (() => void) | undefined;
let slowStarted: (() => void) | undefined;

const { kernel } = await bootKernel(t, {
  plugins: [
    routesPlugin('greetings', greetings),
    routesPlugin('always', fine()),
    routesPlugin('slow', (app) => {
      app.get('/', { config: { public: true } }, async () => {
        slowStarted?.();
        await new Promise<void>((resolve) => (release = resolve));
        return { done: true };
      });
    }),
    routesPlugin('badschema', (app) => {
      app.post(
        '/',
        { config: { public: true }, schema: { body: { type: 'object', properties: { a: { type: 'no-such-type' } } } } },
        async () => ({}),
      );
    }),
    routesPlugin('borrower', (app) => {
      // Guarded by the platform's own permission: allowed.
      app.get('/mine', { config: { permission: 'platform.plugins.manage' } }, async () => ({}));
      // Guarded by a permission nobody defines (the accounts plugin is not even here).
      app.get('/theirs', { config: { permission: 'accounts.user.write' } }, async () => ({}));
    }),
    routesPlugin('nested', (app) => {
      app.get('/ok', { config: { public: true } }, async () => ({}));
      app.register(async () => {
        throw new Error('child plugin failed');
      });
    }),
    routesPlugin('impostor', (app) => void app.get('/', { config: { public: true } }, async () => ({ mine: true })), {
      prefix: '/plugins',
    }),
    tokenAuthPlugin({ admin: { userId: USER.admin, role: 'super_admin' } }),
  ],
  // The broken plugins are enabled by the tests that need them.
  enable: ['always', 'slow', 'token-auth'],
});
const subscriptions = watchSubscriptions(kernel);
// One host for the file. Each test leaves the kernel as it found it, and waits for the host's
// rebuilds to finish (a kernel call resolves after its change listeners, the host's rebuild).
const { host } = await startGateway(t, kernel);

async function openApiPaths(inject: (url: string) => Promise<{ json(): unknown }>): Promise<string[]> {
  const doc = (await inject('/v1/openapi.json')).json() as { paths: Record<string, unknown> };
  return Object.keys(doc.paths);
}

t.test('enabling a plugin serves its routes; disabling it 404s them; OpenAPI follows', async (t) => {
  const get = (url: string) => host.inject({ method: 'GET', url });

  t.equal((await get('/v1/greetings')).statusCode, 404, 'not enabled: not served');
  t.notOk((await openApiPaths(get)).includes('/v1/greetings/'), 'not enabled: not documented');
  const firstApp = host.app();

  const enabled = await host.inject({ method: 'POST', url: '/v1/plugins/greetings/enable', headers: bearer('admin') });
  t.equal(enabled.statusCode, 200);
  t.equal(enabled.json().state, 'started');
  t.not(host.app(), firstApp, 'a new generation serves');
  t.same((await get('/v1/greetings')).json(), { text: 'hello' });
  t.ok((await openApiPaths(get)).includes('/v1/greetings/'), 'enabled: documented');
  const audited = await waitFor('the audit entry', async () => {
    const entries = await listAudit(kernel.knex, { action: 'platform.plugin.enabled' });
    return entries.length > 0 ? entries : undefined;
  });
  t.match(audited, [{ actorId: USER.admin, details: { url: '/v1/plugins/greetings/enable' } }]);

  const disabled = await host.inject({ method: 'POST', url: '/v1/plugins/greetings/disable', headers: bearer('admin') });
  t.equal(disabled.statusCode, 200);
  t.equal(kernel.plugin('greetings')?.state, 'disabled');
  t.equal((await get('/v1/greetings')).statusCode, 404, 'disabled: 404');
  t.notOk((await openApiPaths(get)).includes('/v1/greetings/'));
  t.equal((await get('/v1/always')).statusCode, 200, 'other plugins never stopped answering');
});

t.test('the same document is at /docs/json and /v1/openapi.json', async (t) => {
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
  // The host's change listener. The kernel itself announces one change at a time, so the test
  // calls the listener as overlapping announcements would.
  const notify = subscriptions.listeners().at(-1)!;
  let builds = 0;
  const routes = kernel.routes.bind(kernel);
  kernel.routes = () => {
    builds++;
    return routes();
  };
  t.teardown(() => {
    kernel.routes = routes;
  });
  const before = host.app();
  const first = notify();
  // Let the first build start; the next three arrive while it runs.
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(builds, 1, 'the first build has started');
  await Promise.all([first, notify(), notify(), notify()]);
  t.equal(builds, 2, 'one build for the three changes that arrived during the first');
  t.not(host.app(), before);
});

t.test('a request in flight finishes on the old generation after a swap', async (t) => {
  const handlerStarted = new Promise<void>((resolve) => (slowStarted = resolve));
  const old = host.app();
  const pending = host.inject({ method: 'GET', url: '/v1/slow' });
  await handlerStarted;
  await kernel.enable('greetings');
  t.teardown(() => kernel.disable('greetings'));
  t.not(host.app(), old, 'swapped while the request is running');
  release?.();
  const res = await pending;
  t.equal(res.statusCode, 200);
  t.same(res.json(), { done: true });
});

t.test('a plugin whose schema cannot compile is dropped at ready() and marked failed', async (t) => {
  await kernel.enable('badschema');
  const failure = await failureOf(kernel, 'badschema');
  t.equal(failure.phase, 'routes');
  t.match(failure.message, 'Failed building the validation schema for POST: /v1/badschema');
  t.equal((await host.inject({ method: 'POST', url: '/v1/badschema', payload: {} })).statusCode, 404);
  t.equal((await host.inject({ method: 'GET', url: '/v1/always' })).statusCode, 200);
  await kernel.disable('badschema');
});

t.test('a plugin guarding a route with a permission it does not define is dropped and marked failed', async (t) => {
  await kernel.enable('borrower');
  const failure = await failureOf(kernel, 'borrower');
  t.equal(failure.phase, 'routes');
  t.match(failure.message, 'guards GET /v1/borrower/theirs with permission "accounts.user.write"');
  t.equal((await host.inject({ method: 'GET', url: '/v1/borrower/mine' })).statusCode, 404, 'none of its routes is served');
  t.equal((await host.inject({ method: 'GET', url: '/v1/always' })).statusCode, 200);
  await kernel.disable('borrower');
});

t.test('a plugin whose nested registration fails is dropped and marked failed', async (t) => {
  await kernel.enable('nested');
  const failure = await failureOf(kernel, 'nested');
  t.equal(failure.phase, 'routes');
  t.match(failure.message, 'child plugin failed');
  t.equal((await host.inject({ method: 'GET', url: '/v1/nested/ok' })).statusCode, 404);
  t.equal((await host.inject({ method: 'GET', url: '/v1/always' })).statusCode, 200);
  await kernel.disable('nested');
});

t.test('a plugin colliding with a core route is dropped, the core route kept', async (t) => {
  await kernel.enable('impostor');
  t.equal((await failureOf(kernel, 'impostor')).phase, 'routes');
  const res = await host.inject({ method: 'GET', url: '/v1/plugins', headers: bearer('admin') });
  t.equal(res.statusCode, 200);
  t.ok(Array.isArray(res.json().items));
  await kernel.disable('impostor');
});

t.test('a route prefix that is not a plain path is refused', async (t) => {
  // The kernel already refuses such a prefix in ctx.routes; the gateway checks again, since
  // the prefix becomes part of every URL it serves.
  const app = Fastify() as unknown as HostApp;
  t.teardown(() => app.close());
  const failures = new Map<string, unknown>();
  registerPluginRoutes(app, [{ pluginId: 'weird', prefix: '/../admin', registrar: fine() }], failures);
  await app.ready();
  t.equal((failures.get('weird') as { code?: string } | undefined)?.code, 'HOST_ERR_INVALID_ROUTE_PREFIX');
  t.equal((await app.inject({ method: 'GET', url: '/v1/../admin' })).statusCode, 404);
});
