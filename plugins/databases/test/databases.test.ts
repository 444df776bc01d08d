/**
 * Databases end to end on a real MariaDB: prefixed names, passwords shown once and reset, grants
 * on the customer's own databases only, the package limit under a parallel burst, sizes,
 * deletion with confirmation, refusals of bad names.
 */
import t from 'tap';
import { migratePlugin } from '@hostplane/core';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';
import { startDatabasesHost, systemMissing } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const { host, canUse } = await startDatabasesHost(t);
  const sql = sqlOf(host);
  t.teardown(() => sql.destroy());
  const { admin, customerA, customerB } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const asA = caller(host, customerA);
  const asB = caller(host, customerB);
  const pkg = (await asAdmin.post('/v1/packages', packageBody({ limits: { ...packageBody().limits, databases: 4 } }))).body;
  const subA = (await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' }))
    .body.id;
  const subB = (await asAdmin.post('/v1/subscriptions', { customerId: customerB.id, packageId: pkg.id, billingCycle: 'monthly' }))
    .body.id;

  await t.test(
    'a customer’s database and user carry its prefix; the password works once given, only on that database',
    async (t) => {
      const created = await asA.post('/v1/databases', { name: 'shop' });
      t.equal(created.status, 201, JSON.stringify(created.body));
      t.match(created.body.name, /^customer[0-9]*_shop$/);
      t.equal(created.body.server, 'mariadb');
      t.equal(created.body.ownerId, customerA.id);
      const prefix = created.body.name.split('_')[0];

      const user = await asA.post(`/v1/databases/${created.body.id}/users`, {});
      t.equal(user.status, 201, JSON.stringify(user.body));
      t.equal(user.body.user.name, `${prefix}_shop`);
      t.match(user.body.password, /^[A-Za-z0-9]{24}$/);
      t.equal(user.body.database, created.body.name);
      t.ok(user.body.endpoint?.port, 'where to connect');
      t.ok(await canUse({ user: user.body.user.name, password: user.body.password, database: created.body.name }));

      // The password is never shown again.
      const listed = await asA.get(`/v1/databases/${created.body.id}/users`);
      t.equal(listed.status, 200);
      t.same(
        listed.body.items.map((u: { name: string }) => u.name),
        [`${prefix}_shop`],
      );
      t.notOk(JSON.stringify(listed.body).includes(user.body.password), 'no password in the list');
      t.notOk(JSON.stringify((await asA.get(`/v1/databases/${created.body.id}`)).body).includes(user.body.password));

      // Another customer's database, even one named alike, is out of this user's reach.
      const theirs = await asB.post('/v1/databases', { name: 'shop' });
      t.equal(theirs.status, 201);
      t.not(theirs.body.name, created.body.name, 'B gets its own prefix');
      t.notOk(await canUse({ user: user.body.user.name, password: user.body.password, database: theirs.body.name }));

      // A second user with its own name.
      const second = await asA.post(`/v1/databases/${created.body.id}/users`, { name: 'shop_ro' });
      t.equal(second.status, 201);
      t.equal(second.body.user.name, `${prefix}_shop_ro`);
      t.equal((await asA.post(`/v1/databases/${created.body.id}/users`, { name: 'shop_ro' })).status, 409, 'name taken');

      await t.test('reset: a new password, the old one refused', async (t) => {
        const reset = await asA.post(`/v1/databases/${created.body.id}/users/${user.body.user.id}/reset-password`);
        t.equal(reset.status, 200);
        t.not(reset.body.password, user.body.password);
        t.notOk(await canUse({ user: user.body.user.name, password: user.body.password, database: created.body.name }));
        t.ok(await canUse({ user: user.body.user.name, password: reset.body.password, database: created.body.name }));
      });

      await t.test('sizes are measured on the server', async (t) => {
        const one = await asA.get(`/v1/databases/${created.body.id}`);
        t.equal(one.status, 200);
        t.ok(one.body.sizeBytes > 0, `size ${one.body.sizeBytes}`);
        t.ok(one.body.sizeMeasuredAt);
        t.same(one.body.users.sort(), [`${prefix}_shop`, `${prefix}_shop_ro`]);
      });

      await t.test('a user of another database reads as missing', async (t) => {
        const otherUser = await asB.post(`/v1/databases/${theirs.body.id}/users`, {});
        t.equal(otherUser.status, 201);
        const cross = await asA.post(`/v1/databases/${created.body.id}/users/${otherUser.body.user.id}/reset-password`);
        t.equal(cross.status, 404);
        t.equal(cross.body.error.code, 'DATABASES_ERR_USER_NOT_FOUND');
        t.equal((await asA.del(`/v1/databases/${created.body.id}/users/${otherUser.body.user.id}`)).status, 404);
        t.ok(
          await canUse({ user: otherUser.body.user.name, password: otherUser.body.password, database: theirs.body.name }),
          'untouched',
        );
      });

      await t.test('deleting a user ends its login', async (t) => {
        const del = await asA.del(`/v1/databases/${created.body.id}/users/${second.body.user.id}`);
        t.equal(del.status, 204);
        t.notOk(await canUse({ user: second.body.user.name, password: second.body.password, database: created.body.name }));
      });

      await t.test('deletion needs the name as confirmation, then drops the data and the users', async (t) => {
        const none = await asA.del(`/v1/databases/${created.body.id}`);
        t.equal(none.status, 400);
        t.equal(none.body.error.code, 'DATABASES_ERR_CONFIRM');
        t.equal((await asA.del(`/v1/databases/${created.body.id}?confirm=${prefix}_other`)).status, 400);
        t.equal(
          (await asB.del(`/v1/databases/${created.body.id}?confirm=${created.body.name}`)).status,
          404,
          'not by another customer',
        );
        const done = await asA.del(`/v1/databases/${created.body.id}?confirm=${created.body.name}`);
        t.equal(done.status, 200);
        t.equal((await asA.get(`/v1/databases/${created.body.id}`)).status, 404);
        const reset = (await asA.post(`/v1/databases/${theirs.body.id}/users`, {})).status;
        t.equal(reset, 404, 'B’s database is not A’s to add users to');
        t.notOk(await canUse({ user: `${prefix}_shop`, password: 'x', database: created.body.name }));
        const rows = await sql('plugin_databases.database_users').where({ database_id: created.body.id });
        t.same(rows, [], 'its users are gone');
      });
    },
  );

  await t.test('bad names are refused with 400 and reach no server', async (t) => {
    for (const name of ['', 'Shop', '../etc', 'a;drop', 'x\u0000y', 'a'.repeat(17), '_x', 'sh op', 'ｓｈｏｐ', "a'b"]) {
      const res = await asA.post('/v1/databases', { name });
      t.equal(res.status, 400, JSON.stringify(name));
      t.ok(res.body.error.code, 'error shape');
    }
    const unknownServer = await asA.post('/v1/databases', { name: 'x1', server: 'oracle' });
    t.equal(unknownServer.status, 400);
    t.equal(unknownServer.body.error.code, 'DATABASES_ERR_NO_SERVER');
    const foreignSubscription = await asA.post('/v1/databases', { name: 'x2', subscriptionId: subB });
    t.equal(foreignSubscription.status, 400);
    t.equal(foreignSubscription.body.error.code, 'DATABASES_ERR_SUBSCRIPTION_INVALID');
    const dup = await asA.post('/v1/databases', { name: 'dup' });
    t.equal(dup.status, 201);
    const again = await asA.post('/v1/databases', { name: 'dup' });
    t.equal(again.status, 409);
    t.equal(again.body.error.code, 'DATABASES_ERR_NAME_TAKEN');
    t.equal((await asA.del(`/v1/databases/${dup.body.id}?confirm=${dup.body.name}`)).status, 200);
  });

  await t.test('a parallel burst never exceeds the package’s databases limit', async (t) => {
    const usage = async () =>
      (
        (await asAdmin.get(`/v1/subscriptions/${subA}/usage`)).body.resources as Array<{
          resource: string;
          used: number;
          enforced: boolean;
        }>
      ).find((u) => u.resource === 'databases');
    const before = (await asA.get('/v1/databases')).body.total as number;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => asA.post('/v1/databases', { name: `burst${i}` })));
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    t.equal(created.length, 4 - before, 'exactly up to the limit');
    t.equal(refused.length, 10 - created.length);
    for (const r of refused) t.equal(r.body.error.code, 'LIMITS_ERR_EXCEEDED');
    t.equal((await asA.get('/v1/databases')).body.total, 4);
    t.match(await usage(), { used: 4, enforced: true }, 'usage counted, and the quota shown as enforced');
    // Deleting one frees its place.
    const one = created[0]?.body as { id: string; name: string };
    t.equal((await asA.del(`/v1/databases/${one.id}?confirm=${one.name}`)).status, 200);
    t.equal((await asA.post('/v1/databases', { name: 'after' })).status, 201);
  });

  await t.test('the CLI: create with a user (password once), list, reset, delete', async (t) => {
    const cli = async (...args: string[]) => {
      const lines: string[] = [];
      const io = { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(s) };
      const [group, name, ...rest] = args;
      const code = await host.kernel.runCommand('databases', `${group} ${name}`, rest, io);
      return { code, text: lines.join('') };
    };
    const created = await cli('databases', 'create', '--subscription', subB, '--name', 'cli1');
    t.equal(created.code, 0, created.text);
    const name = /database (\S+) created/.exec(created.text)?.[1] as string;
    const password = /password (\S+)/.exec(created.text)?.[1] as string;
    t.match(name, /_cli1$/);
    t.ok(await canUse({ user: name, password, database: name }), 'the printed password works');
    t.match((await cli('databases', 'list')).text, new RegExp(`${name}\\tmariadb`));
    const reset = await cli('databases', 'reset-password', name);
    t.equal(reset.code, 0);
    const fresh = /password (\S+)/.exec(reset.text)?.[1] as string;
    t.notOk(await canUse({ user: name, password, database: name }), 'old password refused');
    t.ok(await canUse({ user: name, password: fresh, database: name }));
    await t.rejects(cli('databases', 'delete', name), { code: 'DATABASES_ERR_CONFIRM' }, 'needs --confirm');
    t.equal((await cli('databases', 'delete', name, '--confirm', name)).code, 0);
    t.equal((await asB.get('/v1/databases')).body.items.filter((d: { name: string }) => d.name === name).length, 0);
  });

  await t.test('the plugin’s migrations go down and up again', async (t) => {
    const directory = new URL('../migrations/', import.meta.url);
    const migrate = (action: 'down' | 'up') => migratePlugin(sql, { pluginId: 'databases', directory, action });
    const tables = async () =>
      (
        await sql('information_schema.tables')
          .where({ table_schema: 'plugin_databases' })
          .orderBy('table_name')
          .select('table_name')
      )
        .map((r: { table_name: string }) => r.table_name)
        .filter((name: string) => !name.startsWith('migrations'));
    const siteColumn = async () =>
      (
        await sql('information_schema.columns').where({
          table_schema: 'plugin_databases',
          table_name: 'databases',
          column_name: 'site_id',
        })
      ).length;
    t.same(await migrate('down'), ['20261205100002_adminer_logins']);
    t.same(await tables(), ['database_users', 'databases', 'prefixes']);
    t.same(await migrate('down'), ['20261205100001_site_databases']);
    t.equal(await siteColumn(), 0);
    t.same(await migrate('down'), ['20261205100000_databases']);
    t.same(await tables(), []);
    t.same(await migrate('up'), ['20261205100000_databases']);
    t.same(await tables(), ['database_users', 'databases', 'prefixes']);
    t.same(await migrate('up'), ['20261205100001_site_databases']);
    t.equal(await siteColumn(), 1);
    t.same(await migrate('up'), ['20261205100002_adminer_logins']);
    t.same(await tables(), ['adminer_logins', 'database_users', 'databases', 'prefixes']);
  });
}
