// The create path stays short (bench/websites-create.ts measures it under load): the statements a
// create sends are counted, and creates racing for the same name each get their own.
import pg from 'pg';
import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';

const host = await startTestHost({ plugins: [{ definition: accounts, version: '0.1.0' }, websites], runWorkers: false });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const customerUser = await makeUser(sql, 'customer', adminUser);
const admin = caller(host, adminUser);
const customer = caller(host, customerUser);
const pkg = (await admin.post('/v1/packages', packageBody({ name: 'Roomy', limits: { websites: 50, domains: 100 } }))).body;
await admin.post('/v1/subscriptions', { customerId: customerUser.id, packageId: pkg.id, billingCycle: 'monthly' });

t.test('a create sends ten statements, the transaction included, and queues the reconciler after COMMIT', async (t) => {
  t.equal((await customer.post('/v1/websites', { domain: 'warm.example.com', kind: 'static' })).status, 201);
  const seen: string[] = [];
  const count = (q: { sql: string }) => void seen.push(q.sql);
  // Every pool's statements: the websites plugin talks through a pool of its own role.
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    count({ sql: typeof first === 'string' ? first : (first?.text ?? '') });
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const res = await customer.post('/v1/websites', {
    domain: 'counted.example.com',
    aliases: ['www.counted.example.com'],
    kind: 'php',
  });
  pg.Client.prototype.query = query;
  t.equal(res.status, 201, JSON.stringify(res.body));
  t.same(res.body.aliases, ['www.counted.example.com'], 'the answer carries the aliases without reading them back');
  // BEGIN, subscription with package, site (under its slug: free here, so no name scan),
  // domains, history, audit, two limits, COMMIT, then the reconciler job. The author's name was
  // read by the warm-up create (21 before: repeated domain checks, a separate subscription read,
  // a slug lock, three statements per limit, the aliases read back, the name scan, the job
  // inside the transaction, the author's name every time).
  t.ok(seen.length <= 10, `${seen.length} statements:\n${seen.join('\n')}`);
  const commit = seen.findIndex((sql) => /^commit/i.test(sql));
  const job = seen.findIndex((sql) => sql.includes('graphile_worker.add_job'));
  t.ok(commit >= 0 && job > commit, 'the reconciler is queued after the commit, holding no lock other creates wait on');
  t.notOk(
    seen.some((sql) => sql.includes(' like ')),
    'a free slug is taken without scanning the names',
  );
});

t.test('creates racing for one name each get their own', async (t) => {
  const domains = ['same.example.com', 'www.same.example.com', 'same-example.com', 'www.same-example.com'];
  const results = await Promise.all(domains.map((domain) => customer.post('/v1/websites', { domain, kind: 'static' })));
  t.same(
    results.map((r) => r.status),
    [201, 201, 201, 201],
    JSON.stringify(results.map((r) => r.body)),
  );
  t.same(results.map((r) => r.body.name).sort(), [
    'same-example-com',
    'same-example-com-2',
    'same-example-com-3',
    'same-example-com-4',
  ]);
});
