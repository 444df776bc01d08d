/**
 * The top-level command groups an enabled plugin adds (here the accounts plugin): `hostplane users|packages|subscriptions …`, through the real CLI entry
 * against a real database. Usage mistakes exit 2, failed operations 1.
 */
import t from 'tap';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { createTestDatabase, migratePlugin, openDatabase, openPluginDatabase } from '@hostplane/core';
import { readFileSync } from 'node:fs';
import { cli } from './support/cli.js';

const db = await createTestDatabase();
t.teardown(() => db.drop());
const env = { DATABASE_URL: db.url, HOSTPLANE_LOG_LEVEL: 'error' };
const json = async <T>(argv: string[]): Promise<T> => {
  const run = await cli([...argv, '--json'], env);
  if (run.code !== 0) throw new Error(`${argv.join(' ')}: exit ${run.code}: ${run.err}`);
  return JSON.parse(run.out) as T;
};

t.test('seeded install: packages, subscriptions and users from the command line', async (t) => {
  t.match(await cli(['packages', 'list'], env), { code: 2, err: /unknown command "packages" \(no installed plugin/ });
  t.equal((await cli(['plugins', 'enable', 'accounts'], env)).code, 0);
  t.equal((await cli(['seed'], env)).code, 0);

  const packages = await json<Array<{ name: string; prices: { monthly: number } }>>(['packages', 'list']);
  t.same(
    packages.map((p) => p.name),
    ['Starter', 'Pro', 'Business', 'Reseller'],
  );
  t.match(
    (await cli(['packages', 'list'], env)).out,
    /^ID\s+NAME\s+CURRENCY\s+MONTHLY\s+YEARLY\s+VISIBILITY\s+OWNER\s+ARCHIVED\n.*Starter\s+EUR\s+499/,
  );
  t.match(await json(['packages', 'show', 'starter']), { name: 'Starter', limits: { websites: 1 }, subscriptions: 1 });

  const created = await json<{ id: string; limits: Record<string, number | null>; features: { ssh: boolean } }>([
    'packages',
    'create',
    '--name',
    'Gold',
    '--currency',
    'EUR',
    '--monthly',
    '1500',
    '--limits',
    'websites=3,disk_mb=unlimited',
    '--features',
    'ssh',
    '--php',
    '8.3',
  ]);
  t.match(created, { limits: { websites: 3, disk_mb: null, domains: 0 }, features: { ssh: true, php_versions: ['8.3'] } });
  t.match(await cli(['packages', 'create', '--name', 'X', '--currency', 'eur', '--monthly', '1'], env), {
    code: 2,
    err: /--currency is required: an ISO 4217 code[\s\S]*usage: hostplane packages create/,
  });
  t.match(await cli(['packages', 'create', '--name', 'X', '--currency', 'EUR', '--monthly', 'lots'], env), {
    code: 2,
    err: /--monthly must be a whole number/,
  });
  t.match(await cli(['packages', 'create', '--name', 'X', '--currency', 'EUR', '--limits', 'planets=3', '--yearly', '1'], env), {
    code: 2,
    err: /--limits: expected key=N\|unlimited/,
  });
  t.match(await cli(['packages', 'list', '--bogus'], env), { code: 2, err: /Unknown option '--bogus'/ });
  t.match(await cli(['packages', 'show', 'Platinum'], env), { code: 1, err: /ACCOUNTS_ERR_PACKAGE_NOT_FOUND/ });
  t.match(await cli(['packages', 'frobnicate'], env), {
    code: 2,
    err: /unknown command "packages frobnicate"[\s\S]*hostplane packages list/,
  });
  t.match(await cli(['packages'], env), { code: 2, err: /usage:\nhostplane packages list/ });
  t.match(await cli(['packages', 'help'], env), { code: 0, out: /hostplane packages archive <id\|name>/ });

  const sub = await json<{ id: string; status: string; packageName: string }>([
    'subscriptions',
    'create',
    '--customer',
    'alice@hostplane.test',
    '--package',
    'Gold',
    '--cycle',
    'monthly',
  ]);
  t.match(sub, { status: 'active', packageName: 'Gold' });
  t.match(await cli(['subscriptions', 'create', '--customer', 'alice@hostplane.test', '--package', 'Gold'], env), {
    code: 2,
    err: /--cycle is required/,
  });
  t.match(
    await cli(
      ['subscriptions', 'create', '--customer', 'alice@hostplane.test', '--package', 'Gold', '--cycle', 'quarterly'],
      env,
    ),
    {
      code: 1,
      err: /ACCOUNTS_ERR_PRICE_MISSING/,
    },
  );
  const shown = await json<{ id: string; usage: Array<{ resource: string; used: number; limit: number | null }> }>([
    'subscriptions',
    'show',
    sub.id,
  ]);
  t.same(
    shown.usage.filter((u) => ['disk_mb', 'websites'].includes(u.resource)),
    [
      { resource: 'disk_mb', used: 0, limit: null },
      { resource: 'websites', used: 0, limit: 3 },
    ],
    "the package's limits apply",
  );
  t.match(await cli(['subscriptions', 'show', 'not-an-id'], env), { code: 2, err: /by its id/ });

  t.match(await json(['users', 'show', 'alice@hostplane.test']), { email: 'alice@hostplane.test', role: 'customer' });
  t.match((await cli(['users', 'show', 'alice@hostplane.test'], env)).out, /FIELD\s+VALUE\n(.*\n)*role\s+customer/);
  t.match(await cli(['users', 'show', 'nobody@example.test'], env), { code: 1, err: /no user nobody@example\.test/ });
  t.match(await cli(['users', 'suspend', 'alice@hostplane.test'], env), { code: 2, err: /--reason is required/ });
  const suspended = await cli(['users', 'suspend', 'alice@hostplane.test', '--reason', 'unpaid'], env);
  t.equal(suspended.code, 0, suspended.err);
  t.match(suspended.out, /suspended alice@hostplane\.test and 2 subscription\(s\)/);
  const all = await json<Array<{ status: string; suspendReason: string }>>([
    'subscriptions',
    'list',
    '--customer',
    'alice@hostplane.test',
  ]);
  t.same(
    all.map((s) => [s.status, s.suspendReason]),
    [
      ['suspended', 'unpaid'],
      ['suspended', 'unpaid'],
    ],
  );
  t.match(await cli(['users', 'suspend', 'alice@hostplane.test', '--reason', 'again'], env), {
    code: 1,
    err: /ACCOUNTS_ERR_USER_STATUS/,
  });
  t.match(await cli(['users', 'unsuspend', 'alice@hostplane.test'], env), { code: 0, out: /reactivated .* and 2 subscription/ });

  t.match(await cli(['subscriptions', 'suspend', sub.id, '--reason', 'abuse'], env), { code: 0, out: /is suspended/ });
  t.match(await cli(['subscriptions', 'suspend', sub.id], env), { code: 1, err: /ACCOUNTS_ERR_TRANSITION_REFUSED/ });
  t.match(await json(['subscriptions', 'list', '--status', 'suspended']), [{ id: sub.id, suspendReason: 'abuse' }]);
  t.match(await cli(['subscriptions', 'list', '--status', 'sleeping'], env), { code: 2, err: /--status must be one of/ });
  t.match(await cli(['packages', 'archive', 'Gold'], env), { code: 0, out: /archived package Gold/ });
  t.same(
    (await json<Array<{ name: string }>>(['packages', 'list', '--archived'])).map((p) => p.name),
    ['Gold'],
  );

  // No --parent: the customer goes under the platform (the first administrator), not refused.
  const platform = await json<{ id: string }>(['users', 'show', 'admin@hostplane.test']);
  const orphan = await cli(['users', 'create', '--email', 'walk-in@example.test', '--role', 'customer', '--json'], env);
  t.equal(orphan.code, 0, orphan.err);
  t.match(JSON.parse(orphan.out), { email: 'walk-in@example.test', role: 'customer', parentId: platform.id });

  t.match(await cli(['users', 'frobnicate'], env), { code: 2, err: /unknown command "users frobnicate"/ });
  t.match(await cli(['users', 'help'], env), { code: 0, out: /hostplane users show[\s\S]*hostplane users suspend <id\|email>/ });
  t.match(await cli(['users'], env), { code: 2, err: /users help/ });

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  const { rows } = await client.query<{ action: string; actor_id: string | null; details: { via?: string } }>(
    `select action, actor_id, details from hostplane.audit_log where details->>'via' = 'cli' order by id`,
  );
  t.match(
    rows.map((r) => r.action),
    [
      'accounts.package.created',
      'accounts.subscription.created',
      'accounts.user.suspended',
      'accounts.user.unsuspended',
      'accounts.subscription.suspended',
      'accounts.package.archived',
    ],
  );
  t.ok(
    rows.every((r) => r.actor_id === null),
    'done by the operator, not by a user',
  );
});

function accountsPermissions(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../plugins/accounts/package.json', import.meta.url), 'utf8')) as {
    hostplane: { permissions: string[] };
  };
  return pkg.hostplane.permissions;
}

t.test("the users indexes stay with the core while the accounts plugin's migrations go down and up again", async (t) => {
  const database = await openDatabase({ url: db.url, dataDir: tmpdir() });
  t.teardown(() => database.close());
  const knex = database.knex;
  // As the kernel runs them: as the accounts plugin's own role, with what its manifest declares.
  const accounts = await openPluginDatabase(
    { knex, url: database.url },
    { pluginId: 'accounts', capabilities: new Set(accountsPermissions()), reads: [] },
  );
  t.teardown(() => accounts.close());
  const directory = new URL('../../plugins/accounts/migrations/', import.meta.url);
  const indexes = async () =>
    (
      await knex.raw<{ rows: Array<{ indexname: string }> }>(
        `select indexname from pg_indexes where schemaname = 'hostplane' and tablename = 'users'
          and indexname in ('users_email_trgm_idx', 'users_name_trgm_idx', 'users_created_at_id_idx', 'users_parent_id_id_idx')
          order by indexname`,
      )
    ).rows.map((r) => r.indexname);
  const all = ['users_created_at_id_idx', 'users_email_trgm_idx', 'users_name_trgm_idx', 'users_parent_id_id_idx'];
  const migrate = (action: 'down' | 'up') => migratePlugin(accounts.knex, { pluginId: 'accounts', directory, action });
  t.same(await indexes(), all, 'made by the core (migration 0009_users_search_indexes)');
  const levels = async () =>
    (
      await knex.raw<{ rows: Array<{ status: string; level: string | null }> }>(
        `select status, suspended_by_level as level from plugin_accounts.subscriptions where status = 'suspended'`,
      )
    ).rows;
  t.same(await levels(), [{ status: 'suspended', level: 'platform' }], 'the CLI suspended one: the platform did');
  t.same(await migrate('down'), ['20261207000000_backup_storage_limit']);
  t.same(await migrate('down'), ['20261205000000_suspension_levels']);
  t.same(await migrate('down'), ['20261125000001_users_parent_id_covering']);
  t.same(await migrate('down'), ['20261125000000_users_search_indexes']);
  t.same(await indexes(), all, 'its emptied index migrations leave them to the core');
  t.same(await migrate('up'), ['20261125000000_users_search_indexes']);
  t.same(await migrate('up'), ['20261125000001_users_parent_id_covering']);
  t.same(await indexes(), all);
  t.same(await migrate('up'), ['20261205000000_suspension_levels']);
  t.same(
    await levels(),
    [{ status: 'suspended', level: 'platform' }],
    'suspensions made before it: the level from the audit log',
  );
  t.same(await migrate('up'), ['20261207000000_backup_storage_limit']);
});
