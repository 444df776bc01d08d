import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@hostplane/core';
import { cli, dropInHello } from './support/cli.js';

t.test('usage mistakes exit 2 with a message', async (t) => {
  // A data dir of the test's own: an unknown command looks for plugin command groups, which opens
  // (and, as root, creates) the embedded database there; a fixed path would be shared across runs.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hostplane-cli-usage-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { HOSTPLANE_DATA_DIR: dataDir };
  t.match(await cli([], env), { code: 2, out: /Usage: hostplane/ });
  t.match(await cli(['--help'], env), { code: 0, out: /Commands:/ });
  t.match(await cli(['frobnicate'], env), { code: 2, err: /unknown command "frobnicate"/ });
  t.match(await cli(['plugins', 'list', '--bogus'], env), { code: 2, err: /Unknown option '--bogus'/ });
  t.match(await cli(['start'], { ...env, HOSTPLANE_PORT: 'eighty' }), { code: 1, err: /HOSTPLANE_PORT: must be a whole number/ });
  t.match(await cli(['plugins', 'list'], { ...env, DATABASE_URL: 'mysql://x' }), { code: 1, err: /DATABASE_URL/ });
});

t.test('plugins, config, admin, seed, jobs, outbox and migrate against a real database', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const pluginsDir = await dropInHello(t);
  const env = { DATABASE_URL: db.url, HOSTPLANE_PLUGINS_DIR: pluginsDir, HOSTPLANE_LOG_LEVEL: 'error' };

  const list = await cli(['plugins', 'list', '--json'], env);
  t.equal(list.code, 0, list.err);
  const plugins = JSON.parse(list.out) as Array<{ id: string; source: string; enabled: boolean }>;
  t.match(
    plugins.find((p) => p.id === 'hello'),
    { source: 'drop-in', enabled: false },
  );
  t.match(
    (await cli(['plugins', 'list'], env)).out,
    /ID\s+VERSION\s+SOURCE\s+ENABLED\s+STATE\s+SIGNATURE\s+SIGNER\s+ERROR\n(.*\n)*hello\s+1\.0\.0\s+drop-in\s+false/,
  );

  t.match(await cli(['plugins', 'enable', 'nope'], env), { code: 1, err: /KERNEL_ERR_PLUGIN_NOT_FOUND: no plugin "nope"/ });
  t.match(await cli(['plugins', 'enable'], env), { code: 2, err: /usage: hostplane plugins enable <id>/ });
  // The example is not signed: an admin allows it by name (cli-signing.test.ts signs and trusts one).
  t.match(await cli(['plugins', 'enable', 'hello'], env), { code: 1, err: /KERNEL_ERR_PLUGIN_UNSIGNED/ });
  t.equal((await cli(['plugins', 'allow-unsigned', 'hello'], env)).code, 0);
  t.match(await cli(['plugins', 'enable', 'hello'], env), { code: 0, out: /hello enabled/ });
  const afterEnable = JSON.parse((await cli(['plugins', 'list', '--json'], env)).out) as Array<{ id: string; enabled: boolean }>;
  t.match(
    afterEnable.find((p) => p.id === 'hello'),
    { enabled: true },
  );

  t.same(JSON.parse((await cli(['plugins', 'config', 'get', 'hello'], env)).out), { greeting: 'Hello', keepDays: 30 });
  t.match(await cli(['plugins', 'config', 'set', 'hello', 'keepDays=0'], env), {
    code: 1,
    err: /KERNEL_ERR_CONFIG_INVALID.*\/keepDays/,
  });
  t.match(await cli(['plugins', 'config', 'set', 'hello', 'novalue'], env), { code: 2, err: /expected key=value/ });
  const set = await cli(['plugins', 'config', 'set', 'hello', 'greeting=Hi', 'keepDays=7'], env);
  t.same(JSON.parse(set.out), { greeting: 'Hi', keepDays: 7 });
  t.match(await cli(['plugins', 'disable', 'hello'], env), { code: 0, out: /hello disabled/ });

  t.match(await cli(['admin', 'create'], env), { code: 2, err: /--email is required/ });
  t.match(await cli(['admin', 'create', '--email', 'root@example.com', '--password', 'short'], env), { code: 2 });
  t.match(await cli(['admin', 'create', '--email', 'not-an-email'], env), { code: 1, err: /USERS_ERR_EMAIL_INVALID/ });
  const admin = await cli(['admin', 'create', '--email', 'Root@Example.com'], env);
  t.equal(admin.code, 0, admin.err);
  t.match(admin.out, /created super_admin root@example\.com .*\npassword: \S{16}/);
  t.match(await cli(['admin', 'create', '--email', 'root@example.com'], env), { code: 1, err: /USERS_ERR_EMAIL_TAKEN/ });

  const seeded = JSON.parse((await cli(['seed', '--json'], env)).out) as Array<{ email: string; created: boolean }>;
  t.equal(seeded.length, 4);
  t.ok(seeded.every((s) => s.created));
  const again = JSON.parse((await cli(['seed', '--json'], env)).out) as Array<{ created: boolean }>;
  t.ok(
    again.every((s) => !s.created),
    'seeding twice creates nothing new',
  );

  t.same(JSON.parse((await cli(['jobs', 'list', '--json'], env)).out), []);
  t.match(await cli(['jobs', 'list', '--state', 'bogus'], env), { code: 2, err: /--state must be one of/ });
  t.match(await cli(['jobs', 'list', '--limit', '0'], env), { code: 2, err: /--limit/ });
  t.match(await cli(['jobs', 'retry', 'abc'], env), { code: 2 });
  t.match(await cli(['jobs', 'retry', '999999'], env), { code: 1, err: /JOBS_ERR_NOT_FOUND/ });
  t.same(JSON.parse((await cli(['outbox', 'list', '--json'], env)).out), []);
  t.match((await cli(['outbox', 'list'], env)).out, /\(none\)/);
  t.equal((await cli(['outbox', 'list', '--state', 'lost'], env)).code, 2, 'an unknown delivery state');
  t.same(JSON.parse((await cli(['outbox', 'list', '--state', 'uncertain', '--json'], env)).out), []);
  t.equal((await cli(['outbox', 'requeue', '00000000-0000-0000-0000-000000000000'], env)).code, 1, 'nothing to requeue');

  const status = JSON.parse((await cli(['migrate', 'status', '--json'], env)).out) as { applied: string[]; pending: string[] };
  t.ok(status.applied.length > 0);
  t.same(status.pending, []);
  t.match(await cli(['migrate', 'sideways'], env), { code: 2 });
});
