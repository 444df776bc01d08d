import type { JobInfo } from '@hostplane/sdk';
import t from 'tap';
import { FakeKernel, TokenAuthenticator } from './helpers/fake-kernel.js';
import { bearer, startGateway } from './helpers/host.js';

function job(id: string, state: JobInfo['state'], name = 'mail:send'): JobInfo {
  return {
    id,
    name,
    state,
    attempts: state === 'dead' ? 5 : 0,
    maxAttempts: 5,
    runAt: '2026-01-01T00:00:00.000Z',
    lastError: state === 'dead' ? 'smtp refused' : null,
    progress: null,
    progressMessage: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    key: null,
  };
}

function kernel(): FakeKernel {
  const k = new FakeKernel([
    { id: 'mail', config: { host: 'smtp.example.com', password: 'smtp-pass' }, secrets: ['password'] },
  ]).addAuthenticator(
    new TokenAuthenticator()
      .grant('admin', 'root', [
        'platform.plugins.read',
        'platform.plugins.manage',
        'platform.jobs.read',
        'platform.jobs.manage',
        'platform.outbox.read',
      ])
      .grant('viewer', 'v', ['platform.plugins.read', 'platform.jobs.read']),
  );
  k.jobList.push(job('j1', 'dead'), job('j2', 'waiting'), job('j3', 'dead', 'dns:sync'));
  k.mails.push({
    id: 'm1',
    to: 'ada@example.com',
    subject: 'Welcome',
    text: 'hi',
    html: null,
    tag: 'welcome',
    source: 'accounts',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  return k;
}

t.test('plugins: list and one, with permissions enforced', async (t) => {
  const { host } = await startGateway(t, kernel());
  t.equal((await host.inject({ method: 'GET', url: '/v1/plugins' })).statusCode, 401);
  const list = await host.inject({ method: 'GET', url: '/v1/plugins', headers: bearer('viewer') });
  t.equal(list.statusCode, 200);
  t.match(list.json(), { items: [{ id: 'mail', state: 'started', source: 'inline' }] });
  const one = await host.inject({ method: 'GET', url: '/v1/plugins/mail', headers: bearer('viewer') });
  t.equal(one.json().id, 'mail');
  const missing = await host.inject({ method: 'GET', url: '/v1/plugins/nope', headers: bearer('viewer') });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().error.code, 'COMMON_ERR_NOT_FOUND');
  const badId = await host.inject({ method: 'GET', url: '/v1/plugins/Not_An_Id', headers: bearer('viewer') });
  t.equal(badId.statusCode, 400);
  t.equal(badId.json().error.details[0].field, '/params/id');
  const enable = await host.inject({ method: 'POST', url: '/v1/plugins/mail/enable', headers: bearer('viewer') });
  t.equal(enable.statusCode, 403, 'read is not manage');
});

t.test('config: secrets masked on read and in the answer to a write', async (t) => {
  const { host, kernel: k } = await startGateway(t, kernel());
  const read = await host.inject({ method: 'GET', url: '/v1/plugins/mail/config', headers: bearer('viewer') });
  t.same(read.json(), { config: { host: 'smtp.example.com', password: '••••••' } });
  const write = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/mail/config',
    headers: bearer('admin'),
    payload: { config: { host: 'smtp2.example.com', password: 'new-pass' } },
  });
  t.equal(write.statusCode, 200);
  t.same(write.json(), { config: { host: 'smtp2.example.com', password: '••••••' } });
  t.notMatch(write.body, 'new-pass');
  t.same(
    k.audits.map((a) => a.action),
    ['platform.plugin.configured'],
  );
  const unknownField = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/mail/config',
    headers: bearer('admin'),
    payload: { config: {}, extra: 1 },
  });
  t.equal(unknownField.statusCode, 400);
});

t.test('jobs: filter, page, get, retry', async (t) => {
  const { host, kernel: k } = await startGateway(t, kernel());
  const dead = await host.inject({ method: 'GET', url: '/v1/jobs?state=dead', headers: bearer('viewer') });
  t.same(
    dead.json().items.map((j: JobInfo) => j.id),
    ['j1', 'j3'],
  );
  const named = await host.inject({ method: 'GET', url: '/v1/jobs?name=dns:sync&limit=1&offset=0', headers: bearer('viewer') });
  t.same(
    named.json().items.map((j: JobInfo) => j.id),
    ['j3'],
  );
  const badState = await host.inject({ method: 'GET', url: '/v1/jobs?state=exploded', headers: bearer('viewer') });
  t.equal(badState.statusCode, 400);
  t.equal(badState.json().error.details[0].field, '/query/state');
  const badLimit = await host.inject({ method: 'GET', url: '/v1/jobs?limit=0', headers: bearer('viewer') });
  t.equal(badLimit.json().error.details[0].field, '/query/limit');
  t.equal((await host.inject({ method: 'GET', url: '/v1/jobs/j2', headers: bearer('viewer') })).json().state, 'waiting');
  t.equal((await host.inject({ method: 'GET', url: '/v1/jobs/zzz', headers: bearer('viewer') })).statusCode, 404);

  t.equal((await host.inject({ method: 'POST', url: '/v1/jobs/j1/retry', headers: bearer('viewer') })).statusCode, 403);
  const retried = await host.inject({ method: 'POST', url: '/v1/jobs/j1/retry', headers: bearer('admin') });
  t.equal(retried.statusCode, 200);
  t.match(retried.json(), { id: 'j1', state: 'waiting', attempts: 0 });
  const notRetryable = await host.inject({ method: 'POST', url: '/v1/jobs/j2/retry', headers: bearer('admin') });
  t.equal(notRetryable.statusCode, 409);
  t.equal(notRetryable.json().error.code, 'JOBS_ERR_NOT_RETRYABLE');
  t.same(
    k.audits.map((a) => a.action),
    ['platform.job.retried'],
  );
});

t.test('outbox: read with its permission only', async (t) => {
  const { host } = await startGateway(t, kernel());
  t.equal((await host.inject({ method: 'GET', url: '/v1/outbox', headers: bearer('viewer') })).statusCode, 403);
  const res = await host.inject({ method: 'GET', url: '/v1/outbox?to=ada@example.com&limit=5', headers: bearer('admin') });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { items: [{ id: 'm1', subject: 'Welcome' }] });
});

t.test('every admin operation is documented with params, responses and its permission', async (t) => {
  const { host } = await startGateway(t, kernel());
  const doc = (await host.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { 'x-permission'?: string; responses: Record<string, unknown> }>>;
  };
  const expected: Array<[string, string, string]> = [
    ['/v1/plugins', 'get', 'platform.plugins.read'],
    ['/v1/plugins/{id}', 'get', 'platform.plugins.read'],
    ['/v1/plugins/{id}/enable', 'post', 'platform.plugins.manage'],
    ['/v1/plugins/{id}/disable', 'post', 'platform.plugins.manage'],
    ['/v1/plugins/{id}/config', 'get', 'platform.plugins.read'],
    ['/v1/plugins/{id}/config', 'put', 'platform.plugins.manage'],
    ['/v1/jobs', 'get', 'platform.jobs.read'],
    ['/v1/jobs/{id}', 'get', 'platform.jobs.read'],
    ['/v1/jobs/{id}/retry', 'post', 'platform.jobs.manage'],
    ['/v1/outbox', 'get', 'platform.outbox.read'],
  ];
  for (const [path, method, permission] of expected) {
    const op = doc.paths[path]?.[method];
    t.equal(op?.['x-permission'], permission, `${method.toUpperCase()} ${path}`);
    t.ok(op?.responses['200'] && op.responses['401'] && op.responses['403'], `${method.toUpperCase()} ${path} responses`);
  }
});
