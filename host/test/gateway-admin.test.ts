import { SECRET_MASK, listAudit, type Kernel } from '@hostplane/core';
import { coreServices, definePlugin, Secret, Type, type JobInfo, type JobsService, type MailerService } from '@hostplane/sdk';
import t from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel, waitFor } from './helpers/kernel.js';
import { tokenAuthPlugin, USER } from './helpers/plugins.js';

// The mail plugin: a secret in its config, a job that always fails, and the mailer.
let jobs!: JobsService;
let mailer!: MailerService;
const mail = definePlugin({
  id: 'mail',
  sdk: '^0.1.0',
  permissions: ['jobs', 'mailer'],
  config: Type.Object({ host: Type.String(), password: Secret(Type.String()) }),
  deps: { jobs: coreServices.jobs, mailer: coreServices.mailer },
  setup(ctx) {
    jobs = ctx.deps.jobs;
    mailer = ctx.deps.mailer;
    ctx.job(
      'send',
      async () => {
        throw new Error('smtp refused');
      },
      { maxAttempts: 1 },
    );
  },
});

const { kernel } = await bootKernel(t, {
  plugins: [
    mail,
    tokenAuthPlugin({
      admin: { userId: USER.admin, role: 'super_admin' },
      viewer: { userId: USER.viewer, role: 'super_admin', scopes: ['platform.plugins.read', 'platform.jobs.read'] },
    }),
  ],
  config: { mail: { host: 'smtp.example.com', password: 'smtp-pass' } },
  runWorkers: true,
});
const { host } = await startGateway(t, kernel);

/** Enqueue a `mail:send` and wait until its one attempt has failed. */
async function deadJob(k: Kernel): Promise<string> {
  let deadId: string | undefined;
  const off = k.jobs.onEvent((event) => {
    if (event.type === 'failed' && event.dead) deadId ??= event.id;
  });
  try {
    const { id } = await jobs.enqueue('send', { to: 'ada@example.com' });
    await waitFor(`job ${id} to die`, () => deadId === id);
    return id;
  } finally {
    off();
  }
}

async function auditActions(k: Kernel, action: string): Promise<string[]> {
  return (await listAudit(k.knex, { action })).map((e) => e.action);
}

t.test('plugins: list and one, with permissions enforced', async (t) => {
  t.equal((await host.inject({ method: 'GET', url: '/v1/plugins' })).statusCode, 401);
  const list = await host.inject({ method: 'GET', url: '/v1/plugins', headers: bearer('viewer') });
  t.equal(list.statusCode, 200);
  const items = list.json().items as Array<{ id: string }>;
  t.same(
    items.map((p) => p.id),
    ['mail', 'token-auth'],
  );
  t.match(items[0], { id: 'mail', state: 'started', source: 'inline', enabled: true, permissions: ['jobs', 'mailer'] });
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
  const read = await host.inject({ method: 'GET', url: '/v1/plugins/mail/config', headers: bearer('viewer') });
  t.same(read.json(), { config: { host: 'smtp.example.com', password: SECRET_MASK } });
  const write = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/mail/config',
    headers: bearer('admin'),
    payload: { config: { host: 'smtp2.example.com', password: 'new-pass' } },
  });
  t.equal(write.statusCode, 200);
  t.same(write.json(), { config: { host: 'smtp2.example.com', password: SECRET_MASK } });
  t.notMatch(write.body, 'new-pass');
  t.same(await kernel.getConfig('mail', { revealSecrets: true }), { host: 'smtp2.example.com', password: 'new-pass' });
  t.equal(kernel.plugin('mail')?.state, 'started', 'restarted with the new config');
  t.same(
    await waitFor('the audit entry', async () => {
      const actions = await auditActions(kernel, 'platform.plugin.configured');
      return actions.length > 0 ? actions : undefined;
    }),
    ['platform.plugin.configured'],
  );
  const [entry] = await listAudit(kernel.knex, { action: 'platform.plugin.configured' });
  t.same(entry?.details, { changed: ['host', 'password'] }, 'the keys that changed, never a secret value');
  t.notMatch(JSON.stringify(entry), 'new-pass');
  // What a settings form sends: everything again, the secret masked, nothing changed.
  const same = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/mail/config',
    headers: bearer('admin'),
    payload: { config: { host: 'smtp2.example.com', password: SECRET_MASK } },
  });
  t.equal(same.statusCode, 200);
  t.equal((await auditActions(kernel, 'platform.plugin.configured')).length, 1, 'an unchanged save logs no change');
  const unknownField = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/mail/config',
    headers: bearer('admin'),
    payload: { config: {}, extra: 1 },
  });
  t.equal(unknownField.statusCode, 400);
  const invalid = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/mail/config',
    headers: bearer('admin'),
    payload: { config: { host: 42 } },
  });
  t.equal(invalid.statusCode, 400, "the kernel refuses a config the plugin's schema does not accept");
  t.equal(invalid.json().error.code, 'KERNEL_ERR_CONFIG_INVALID');
});

t.test('jobs: filter, page, get, retry', async (t) => {
  const first = await deadJob(kernel);
  const second = await deadJob(kernel);
  // No started plugin defines `mail:digest`, so no worker takes it: it waits.
  const { id: waiting } = await kernel.jobs.enqueue('mail:digest', {});

  const dead = await host.inject({ method: 'GET', url: '/v1/jobs?state=dead', headers: bearer('viewer') });
  t.same(
    dead.json().items.map((j: JobInfo) => j.id),
    [second, first],
    'newest first',
  );
  t.match(dead.json().items[0], { name: 'mail:send', state: 'dead', attempts: 1, maxAttempts: 1, lastError: /smtp refused/ });
  const paged = await host.inject({ method: 'GET', url: '/v1/jobs?name=mail:send&limit=1&offset=1', headers: bearer('viewer') });
  t.same(
    paged.json().items.map((j: JobInfo) => j.id),
    [first],
  );
  const badState = await host.inject({ method: 'GET', url: '/v1/jobs?state=exploded', headers: bearer('viewer') });
  t.equal(badState.statusCode, 400);
  t.equal(badState.json().error.details[0].field, '/query/state');
  const badLimit = await host.inject({ method: 'GET', url: '/v1/jobs?limit=0', headers: bearer('viewer') });
  t.equal(badLimit.json().error.details[0].field, '/query/limit');
  t.equal((await host.inject({ method: 'GET', url: `/v1/jobs/${waiting}`, headers: bearer('viewer') })).json().state, 'waiting');
  t.equal((await host.inject({ method: 'GET', url: '/v1/jobs/zzz', headers: bearer('viewer') })).statusCode, 404);

  t.equal((await host.inject({ method: 'POST', url: `/v1/jobs/${first}/retry`, headers: bearer('viewer') })).statusCode, 403);
  const retried = await host.inject({ method: 'POST', url: `/v1/jobs/${first}/retry`, headers: bearer('admin') });
  t.equal(retried.statusCode, 200);
  t.match(retried.json(), { id: first, state: 'waiting', attempts: 0 });
  const notRetryable = await host.inject({ method: 'POST', url: `/v1/jobs/${waiting}/retry`, headers: bearer('admin') });
  t.equal(notRetryable.statusCode, 409);
  t.equal(notRetryable.json().error.code, 'JOBS_ERR_NOT_RETRYABLE');
  t.same(
    await waitFor('the audit entry', async () => {
      const actions = await auditActions(kernel, 'platform.job.retried');
      return actions.length > 0 ? actions : undefined;
    }),
    ['platform.job.retried'],
  );
});

t.test('outbox: read with its permission only', async (t) => {
  await mailer.send({ to: 'ada@example.com', subject: 'Welcome', text: 'hi', tag: 'welcome' });
  await mailer.send({ to: 'bob@example.com', subject: 'Other', text: 'hello' });
  t.equal((await host.inject({ method: 'GET', url: '/v1/outbox', headers: bearer('viewer') })).statusCode, 403);
  const res = await host.inject({ method: 'GET', url: '/v1/outbox?to=ada@example.com&limit=5', headers: bearer('admin') });
  t.equal(res.statusCode, 200);
  const items = res.json().items as Array<Record<string, unknown>>;
  t.equal(items.length, 1);
  t.match(items[0], { to: 'ada@example.com', subject: 'Welcome', text: 'hi', html: null, tag: 'welcome', source: 'mail' });
  t.match(items[0], { status: 'queued', attempts: 0, attachments: [], sentAt: null }, 'with its delivery state');
  const sent = await host.inject({ method: 'GET', url: '/v1/outbox?status=sent', headers: bearer('admin') });
  t.same(sent.json().items, [], 'filtered by delivery state');
  const bad = await host.inject({ method: 'GET', url: '/v1/outbox?status=lost', headers: bearer('admin') });
  t.equal(bad.statusCode, 400);
});

t.test('every admin operation is documented with params, responses and its permission', async (t) => {
  const doc = (await host.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { 'x-permission'?: string; responses: Record<string, unknown> }>>;
  };
  const expected: Array<[string, string, string]> = [
    ['/v1/plugins', 'get', 'platform.plugins.read'],
    ['/v1/plugins/{id}', 'get', 'platform.plugins.read'],
    ['/v1/plugins/{id}/enable', 'post', 'platform.plugins.manage'],
    ['/v1/plugins/{id}/disable-impact', 'get', 'platform.plugins.read'],
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
