// Through the kernel: a plugin's `db` handle is its own role's pool, data one plugin shares with
// another arrives as declared in both manifests, and services given a plugin's transaction stay
// within that plugin.
import t from 'tap';
import { coreServices, definePlugin, type AuditService, type DatabaseService, type JobsService } from '@hostplane/sdk';
import { bootKernel } from './support/kernel.js';

const migrations = new URL('./fixtures/plugin-migrations/roles-beta/', import.meta.url);
const handles = new Map<string, DatabaseService>();
let jobs: JobsService | undefined;
let audit: AuditService | undefined;

function probe(id: string, extra: Partial<Parameters<typeof definePlugin>[0]> = {}) {
  return definePlugin({
    id,
    sdk: '^0.1.0',
    permissions: ['db', 'jobs', 'audit'],
    deps: { db: coreServices.database, jobs: coreServices.jobs, audit: coreServices.audit },
    setup(ctx) {
      handles.set(id, ctx.deps.db);
      if (id === 'reader') {
        jobs = ctx.deps.jobs;
        audit = ctx.deps.audit;
        ctx.job('own', async () => undefined);
      }
    },
    ...extra,
  });
}

const provider = probe('provider', { migrations, database: { shares: ['things'] } });
const reader = probe('reader', { requires: { provider: '*' }, database: { reads: { provider: ['things'] } } });
const stranger = probe('stranger');
const greedy = probe('greedy', { requires: { provider: '*' }, database: { reads: { provider: ['secrets'] } } });

const kernel = await bootKernel(t, {
  inlinePlugins: [provider, reader, stranger, greedy].map((definition) => ({ definition })),
  enable: ['provider', 'reader', 'stranger', 'greedy'],
  runWorkers: false,
});

async function code(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

t.test("the db handle logs in as the plugin's own role, not the host's", async (t) => {
  const host = (await kernel.knex.raw('select current_user as u')).rows[0].u as string;
  for (const id of ['provider', 'reader', 'stranger']) {
    const me = (await handles.get(id)!.knex.raw('select current_user as u')).rows[0].u as string;
    t.not(me, host, `${id} is not the host`);
    t.match(me, new RegExp(`^hp_[0-9a-f]{10}_p_${id}$`));
  }
  t.not(handles.get('provider')!.knex, kernel.knex, 'a pool of its own');
});

t.test('shared data reaches exactly the plugins that name it; nothing else does', async (t) => {
  const rows = await handles.get('reader')!.knex('plugin_provider.things').select('name');
  t.same(rows, [{ name: 'shared row' }]);
  t.equal(await code(handles.get('reader')!.knex.raw('select * from plugin_provider.secrets')), '42501');
  t.equal(await code(handles.get('stranger')!.knex.raw('select * from plugin_provider.things')), '42501');
  for (const table of ['users', 'plugins', 'settings', 'plugin_roles']) {
    t.equal(await code(handles.get('stranger')!.knex.raw(`select * from hostplane.${table}`)), '42501', table);
  }
});

t.test('reading what the provider does not share fails that plugin with a clear error', async (t) => {
  t.match(kernel.plugin('greedy'), {
    state: 'failed',
    error: { phase: 'database', message: /reads "provider.secrets", but "provider" does not share it/ },
  });
});

t.test("jobs and audit entries from a plugin's transaction are its own", async (t) => {
  const db = handles.get('reader')!;
  t.equal(await code(db.transaction((trx) => jobs!.enqueue('own', {}, { trx }))), 'ok');
  t.equal(await code(jobs!.enqueue('provider:anything', {})), 'JOBS_ERR_NOT_OWN_JOB');
  t.equal(await code(db.transaction((trx) => jobs!.enqueue('provider:anything', {}, { trx }))), 'JOBS_ERR_NOT_OWN_JOB');
  await db.transaction((trx) => audit!.record({ action: 'roles.probe.done' }, { trx }));
  const { rows } = await kernel.knex.raw(`select source from hostplane.audit_log where action = 'roles.probe.done'`);
  t.same(rows, [{ source: 'reader' }]);
});

t.test("a disabled plugin's pool is closed", async (t) => {
  const db = handles.get('stranger')!;
  await kernel.disable('stranger');
  await t.rejects(db.knex.raw('select 1'));
});

t.test("role passwords are stored sealed with the platform's key, and a clear one is sealed on next use", async (t) => {
  const rows = (await kernel.knex('hostplane.plugin_roles').select('plugin_id', 'role_name', 'password')) as Array<{
    plugin_id: string;
    role_name: string;
    password: string;
  }>;
  t.ok(rows.length >= 3);
  for (const row of rows) {
    t.match(row.password, /^hpsec:1:/, `${row.plugin_id}: an envelope, not the password`);
    const clear = kernel.secrets.keyring.decryptSecret('database-role', row.role_name, row.password);
    t.notOk(row.password.includes(clear), 'the password does not appear in what is stored');
  }
  t.match(await kernel.secrets.status(), { encrypted: { 'database role passwords': rows.length } });

  // As an install from before sealing left it: the password in the clear.
  const stranger = rows.find((r) => r.plugin_id === 'stranger')!;
  const clear = kernel.secrets.keyring.decryptSecret('database-role', stranger.role_name, stranger.password);
  await kernel.knex('hostplane.plugin_roles').where({ plugin_id: 'stranger' }).update({ password: clear });
  await kernel.disable('stranger');
  await kernel.enable('stranger');
  t.equal((await handles.get('stranger')!.knex.raw('select 1 as one')).rows[0].one, 1, 'the plugin still logs in');
  const after = (await kernel.knex('hostplane.plugin_roles').where({ plugin_id: 'stranger' }).first('password')) as {
    password: string;
  };
  t.match(after.password, /^hpsec:1:/, 'sealed again');
  t.equal(kernel.secrets.keyring.decryptSecret('database-role', stranger.role_name, after.password), clear, 'the same password');
});
