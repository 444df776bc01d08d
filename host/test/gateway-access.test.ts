import type { RouteRegistrar } from '@hostplane/sdk';
import t from 'tap';
import { FakeKernel, TokenAuthenticator } from './helpers/fake-kernel.js';
import { bearer, startGateway } from './helpers/host.js';

const notes: RouteRegistrar = (app) => {
  app.get('/public', { config: { public: true } }, async (request) => ({ actor: request.actor?.userId ?? null }));
  app.get('/mine', { config: { authenticated: true } }, async (request) => ({ actor: request.actor?.userId }));
  app.get('/all', { config: { permission: 'notes.note.read' } }, async () => ({ notes: [] }));
  app.post('/', { config: { permission: 'notes.note.write', audit: 'notes.note.created' } }, async (_request, reply) => {
    reply.code(201);
    return { id: 'n1' };
  });
  app.post('/refused', { config: { permission: 'notes.note.write', audit: 'notes.note.refused' } }, async () => {
    throw new Error('nope');
  });
};

// Forgets the access rule on its second route.
const forgetful: RouteRegistrar = (app) => {
  app.get('/fine', { config: { public: true } }, async () => ({ ok: true }));
  app.get('/open', async () => ({ leaked: true }));
};

function kernel(): FakeKernel {
  return new FakeKernel([
    { id: 'notes', routes: notes },
    { id: 'forgetful', routes: forgetful },
    {
      id: 'throws',
      routes: () => {
        throw new Error('registrar exploded');
      },
    },
  ]).addAuthenticator(
    new TokenAuthenticator()
      .grant('reader', 'u-reader', ['notes.note.read'])
      .grant('writer', 'u-writer', ['notes.note.read', 'notes.note.write'])
      .grant('nobody', 'u-nobody', []),
  );
}

t.test('anonymous gets 401, signed in without the permission 403, with it 200', async (t) => {
  const { host } = await startGateway(t, kernel());
  const anonymous = await host.inject({ method: 'GET', url: '/v1/notes/all' });
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.json().error.code, 'COMMON_ERR_UNAUTHENTICATED');
  const forbidden = await host.inject({ method: 'GET', url: '/v1/notes/all', headers: bearer('nobody') });
  t.equal(forbidden.statusCode, 403);
  t.equal(forbidden.json().error.code, 'COMMON_ERR_FORBIDDEN');
  const allowed = await host.inject({ method: 'GET', url: '/v1/notes/all', headers: bearer('reader') });
  t.equal(allowed.statusCode, 200);
});

t.test('authenticated: true admits any signed-in user; public admits anyone', async (t) => {
  const { host } = await startGateway(t, kernel());
  t.equal((await host.inject({ method: 'GET', url: '/v1/notes/mine' })).statusCode, 401);
  t.same((await host.inject({ method: 'GET', url: '/v1/notes/mine', headers: bearer('nobody') })).json(), { actor: 'u-nobody' });
  t.same((await host.inject({ method: 'GET', url: '/v1/notes/public' })).json(), { actor: null });
  t.same((await host.inject({ method: 'GET', url: '/v1/notes/public', headers: bearer('reader') })).json(), {
    actor: 'u-reader',
  });
  const unknownToken = await host.inject({ method: 'GET', url: '/v1/notes/public', headers: bearer('who?') });
  t.same(unknownToken.json(), { actor: null }, 'an unknown token is anonymous, not an error');
});

t.test('a route without an access rule drops only its plugin', async (t) => {
  const gateway = await startGateway(t, kernel());
  const { host } = gateway;
  const reported = gateway.kernel.failures.map((f) => [f.id, f.phase]);
  t.same(reported.sort(), [
    ['forgetful', 'routes'],
    ['throws', 'routes'],
  ]);
  const forgetfulFailure = gateway.kernel.failures.find((f) => f.id === 'forgetful');
  t.equal((forgetfulFailure?.error as { code?: string }).code, 'HOST_ERR_ROUTE_WITHOUT_ACCESS_RULE');
  t.equal((await host.inject({ method: 'GET', url: '/v1/forgetful/open' })).statusCode, 404, 'the open route is not served');
  t.equal((await host.inject({ method: 'GET', url: '/v1/forgetful/fine' })).statusCode, 404, 'nor the rest of that plugin');
  t.equal((await host.inject({ method: 'GET', url: '/v1/notes/public' })).statusCode, 200, 'other plugins are served');
  t.equal((await host.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  t.ok(
    gateway.logs().some((l) => l.pluginId === 'forgetful' && l.level === 50),
    'the refusal is logged',
  );
});

t.test('a 2xx call of an audited route writes an audit entry; a failed one does not', async (t) => {
  const gateway = await startGateway(t, kernel());
  const created = await gateway.host.inject({
    method: 'POST',
    url: '/v1/notes',
    headers: { ...bearer('writer'), 'x-request-id': 'audit-1' },
  });
  t.equal(created.statusCode, 201);
  t.same(gateway.kernel.audits, [
    {
      action: 'notes.note.created',
      actorId: 'u-writer',
      ip: '127.0.0.1',
      requestId: 'audit-1',
      details: { method: 'POST', url: '/v1/notes', statusCode: 201 },
    },
  ]);
  await gateway.host.inject({ method: 'POST', url: '/v1/notes/refused', headers: bearer('writer') });
  await gateway.host.inject({ method: 'POST', url: '/v1/notes', headers: bearer('reader') });
  t.equal(gateway.kernel.audits.length, 1, 'neither the 500 nor the 403 is audited');
});
