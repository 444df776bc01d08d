import { listAudit } from '@hostplane/core';
import type { RouteRegistrar } from '@hostplane/sdk';
import t from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel, failureOf, waitFor } from './helpers/kernel.js';
import { routesPlugin, tokenAuthPlugin, USER } from './helpers/plugins.js';

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

const CSRF = 'csrf-5f1d2c';

const { kernel } = await bootKernel(t, {
  plugins: [
    routesPlugin('notes', notes, {
      rbac: {
        'notes.note.read': { description: 'Read notes', roles: ['customer', 'reseller'] },
        'notes.note.write': { description: 'Write notes', roles: ['reseller'] },
      },
    }),
    routesPlugin('forgetful', forgetful),
    routesPlugin('throws', () => {
      throw new Error('registrar exploded');
    }),
    tokenAuthPlugin({
      reader: { userId: USER.reader, role: 'customer' },
      writer: { userId: USER.writer, role: 'reseller' },
      nobody: { userId: USER.nobody, role: 'customer', scopes: [] },
      'session-writer': { userId: USER.writer, role: 'reseller', cookie: { csrfToken: CSRF } },
      'session-without-csrf': { userId: USER.other, role: 'reseller', cookie: {} },
    }),
  ],
});
// One host for the file: the first host built reports the broken plugins, which stay failed.
const gateway = await startGateway(t, kernel);
const { host } = gateway;

t.test('anonymous gets 401, signed in without the permission 403, with it 200', async (t) => {
  const anonymous = await host.inject({ method: 'GET', url: '/v1/notes/all' });
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.json().error.code, 'COMMON_ERR_UNAUTHENTICATED');
  const forbidden = await host.inject({ method: 'GET', url: '/v1/notes/all', headers: bearer('nobody') });
  t.equal(forbidden.statusCode, 403);
  t.equal(forbidden.json().error.code, 'COMMON_ERR_FORBIDDEN');
  const allowed = await host.inject({ method: 'GET', url: '/v1/notes/all', headers: bearer('reader') });
  t.equal(allowed.statusCode, 200, 'the role holds the permission the plugin defined for it');
});

t.test('authenticated: true admits any signed-in user; public admits anyone', async (t) => {
  t.equal((await host.inject({ method: 'GET', url: '/v1/notes/mine' })).statusCode, 401);
  t.same((await host.inject({ method: 'GET', url: '/v1/notes/mine', headers: bearer('nobody') })).json(), {
    actor: USER.nobody,
  });
  t.same((await host.inject({ method: 'GET', url: '/v1/notes/public' })).json(), { actor: null });
  t.same((await host.inject({ method: 'GET', url: '/v1/notes/public', headers: bearer('reader') })).json(), {
    actor: USER.reader,
  });
  const unknownToken = await host.inject({ method: 'GET', url: '/v1/notes/public', headers: bearer('who?') });
  t.same(unknownToken.json(), { actor: null }, 'an unknown token is anonymous, not an error');
});

t.test('a route without an access rule drops only its plugin, which the kernel marks failed', async (t) => {
  const forgetfulFailure = await failureOf(kernel, 'forgetful');
  t.equal(forgetfulFailure.phase, 'routes');
  t.match(forgetfulFailure.message, 'has no access rule');
  const throwsFailure = await failureOf(kernel, 'throws');
  t.equal(throwsFailure.phase, 'routes');
  t.match(throwsFailure.message, 'registrar exploded');
  t.equal(kernel.plugin('notes')?.state, 'started');
  t.equal((await host.inject({ method: 'GET', url: '/v1/forgetful/open' })).statusCode, 404, 'the open route is not served');
  t.equal((await host.inject({ method: 'GET', url: '/v1/forgetful/fine' })).statusCode, 404, 'nor the rest of that plugin');
  t.equal((await host.inject({ method: 'GET', url: '/v1/notes/public' })).statusCode, 200, 'other plugins are served');
  t.equal((await host.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  const refusal = gateway.logs().find((l) => l.pluginId === 'forgetful' && l.level === 50);
  t.match(refusal?.err, { code: 'HOST_ERR_ROUTE_WITHOUT_ACCESS_RULE' }, 'the refusal is logged with its code');
});

t.test('a 2xx call of an audited route writes an audit entry; a failed one does not', async (t) => {
  const created = await host.inject({
    method: 'POST',
    url: '/v1/notes',
    headers: { ...bearer('writer'), 'x-request-id': 'audit-1' },
  });
  t.equal(created.statusCode, 201);
  // Written after the response is sent.
  const [entry] = await waitFor('the audit entry', async () => {
    const entries = await listAudit(kernel.knex, { action: 'notes.note.created' });
    return entries.length > 0 ? entries : undefined;
  });
  t.match(entry, {
    source: 'core',
    action: 'notes.note.created',
    actorId: USER.writer,
    ip: '127.0.0.1',
    requestId: 'audit-1',
    details: { method: 'POST', url: '/v1/notes', statusCode: 201 },
  });
  const refused = await host.inject({ method: 'POST', url: '/v1/notes/refused', headers: bearer('writer') });
  t.equal(refused.statusCode, 500);
  const forbidden = await host.inject({
    method: 'POST',
    url: '/v1/notes',
    headers: { ...bearer('reader'), 'x-request-id': 'audit-403' },
  });
  t.equal(forbidden.statusCode, 403);
  // A later audited success: once its entry is there, the earlier ones would be too.
  await host.inject({ method: 'POST', url: '/v1/notes', headers: { ...bearer('writer'), 'x-request-id': 'audit-2' } });
  const entries = await waitFor('the second audit entry', async () => {
    const all = await listAudit(kernel.knex);
    return all.some((e) => e.requestId === 'audit-2') ? all : undefined;
  });
  t.same(
    entries.map((e) => e.requestId),
    ['audit-2', 'audit-1'],
    'neither the 500 nor the 403 is audited',
  );
});

t.test('a cookie session must echo its CSRF token on requests that change state', async (t) => {
  const cookie = { cookie: 'sid=session-writer' };
  const missing = await host.inject({ method: 'POST', url: '/v1/notes', headers: cookie });
  t.equal(missing.statusCode, 403);
  t.equal(missing.json().error.code, 'HOST_ERR_CSRF');
  const wrong = await host.inject({ method: 'POST', url: '/v1/notes', headers: { ...cookie, 'x-csrf-token': 'csrf-000000' } });
  t.equal(wrong.statusCode, 403);
  t.equal(wrong.json().error.code, 'HOST_ERR_CSRF');
  const shorter = await host.inject({ method: 'POST', url: '/v1/notes', headers: { ...cookie, 'x-csrf-token': 'csrf' } });
  t.equal(shorter.statusCode, 403, 'a token of another length is refused too');
  const right = await host.inject({ method: 'POST', url: '/v1/notes', headers: { ...cookie, 'x-csrf-token': CSRF } });
  t.equal(right.statusCode, 201);
});

t.test('reads need no CSRF token, nor do Bearer tokens', async (t) => {
  const read = await host.inject({ method: 'GET', url: '/v1/notes/all', headers: { cookie: 'sid=session-writer' } });
  t.equal(read.statusCode, 200);
  const viaBearer = await host.inject({ method: 'POST', url: '/v1/notes', headers: bearer('writer') });
  t.equal(viaBearer.statusCode, 201);
});

t.test('a cookie session without a CSRF token cannot change state at all', async (t) => {
  const res = await host.inject({
    method: 'POST',
    url: '/v1/notes',
    headers: { cookie: 'sid=session-without-csrf', 'x-csrf-token': 'anything' },
  });
  t.equal(res.statusCode, 403);
  t.equal(res.json().error.code, 'HOST_ERR_CSRF');
});
