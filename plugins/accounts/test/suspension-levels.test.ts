/**
 * A suspension is lifted only at its author's level or above: author × lifter tables for
 * subscriptions (a customer's, and a reseller's own) and users (a customer, a technical user),
 * with the CLI as the platform and a user's suspension carrying its level to the subscriptions
 * it takes along.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf, type TestUser } from './helpers.js';

const host = await startTestHost({ plugins: [accounts] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerUser = await makeUser(sql, 'reseller', adminUser);
const customerUser = await makeUser(sql, 'customer', resellerUser);
const techUser = await makeUser(sql, 'technical_user', customerUser);
const callers = {
  admin: caller(host, adminUser),
  reseller: caller(host, resellerUser),
  customer: caller(host, customerUser),
};
type Who = keyof typeof callers | 'cli';

const wholesale = (await callers.admin.post('/v1/packages', packageBody({ name: 'Wholesale', visibility: 'reseller_only' })))
  .body;
const resellersOwn = (
  await callers.admin.post('/v1/subscriptions', { customerId: resellerUser.id, packageId: wholesale.id, billingCycle: 'monthly' })
).body;
const retail = (await callers.reseller.post('/v1/packages', packageBody({ name: 'Retail' }))).body;
const customers = (
  await callers.reseller.post('/v1/subscriptions', { customerId: customerUser.id, packageId: retail.id, billingCycle: 'monthly' })
).body;

/** The CLI, as an operator runs it: the platform. */
async function cli(args: string[]): Promise<number> {
  const lines: string[] = [];
  const io = { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(s) };
  const [group, name, ...rest] = args;
  const code = await host.kernel.runCommand('accounts', `${group} ${name}`, rest, io);
  if (code !== 0) throw new Error(`${args.join(' ')}: ${lines.join('\n')}`);
  return code;
}

async function suspendSubscription(author: Who, id: string): Promise<void> {
  if (author === 'cli') await cli(['subscriptions', 'suspend', id, '--reason', 'by the operator']);
  else t.equal((await callers[author].post(`/v1/subscriptions/${id}/suspend`, { reason: `by ${author}` })).status, 200);
}

async function suspendUser(author: Who, user: TestUser): Promise<void> {
  if (author === 'cli') await cli(['users', 'suspend', user.id, '--reason', 'by the operator']);
  else t.equal((await callers[author].post(`/v1/users/${user.id}/suspend`, { reason: `by ${author}` })).status, 200);
}

const LEVEL: Record<Who, string> = { admin: 'platform', cli: 'platform', reseller: 'reseller', customer: 'customer' };

t.test('subscriptions: author × lifter', async (t) => {
  // [author, lifter, subscription, expected status of the lift]
  const table: Array<[Who, keyof typeof callers, 'customer' | 'reseller-own', number]> = [
    ['admin', 'reseller', 'customer', 403],
    ['admin', 'reseller', 'reseller-own', 403],
    ['cli', 'reseller', 'customer', 403],
    ['cli', 'reseller', 'reseller-own', 403],
    ['admin', 'admin', 'customer', 200],
    ['admin', 'admin', 'reseller-own', 200],
    ['cli', 'admin', 'customer', 200],
    ['reseller', 'reseller', 'customer', 200],
    ['reseller', 'reseller', 'reseller-own', 200],
    ['reseller', 'admin', 'customer', 200],
    ['reseller', 'customer', 'customer', 403],
  ];
  for (const [author, lifter, which, expected] of table) {
    const id = which === 'customer' ? customers.id : resellersOwn.id;
    await suspendSubscription(author, id);
    const shown = await callers.admin.get(`/v1/subscriptions/${id}`);
    t.equal(shown.body.suspendedBy, LEVEL[author], `${author} suspends: suspendedBy says so`);
    const res = await callers[lifter].post(`/v1/subscriptions/${id}/unsuspend`);
    t.equal(res.status, expected, `${author} suspends ${which}, ${lifter} lifts: ${JSON.stringify(res.body)}`);
    if (expected === 403 && lifter === 'reseller') {
      t.equal(res.body.error.code, 'ACCOUNTS_ERR_SUSPENDED_ABOVE');
      t.match(res.body.error.message, /suspended by an administrator of the platform: only an administrator can lift/);
      t.same(res.body.error.details, { suspendedBy: 'platform' });
    }
    const after = await callers.admin.get(`/v1/subscriptions/${id}`);
    t.equal(after.body.status, expected === 200 ? 'active' : 'suspended');
    if (expected === 200) t.equal(after.body.suspendedBy, null);
    else t.equal((await callers.admin.post(`/v1/subscriptions/${id}/unsuspend`)).status, 200, 'an admin lifts anything');
  }
});

t.test('users: author × lifter', async (t) => {
  // [author, lifter, user, expected status of the lift]
  const table: Array<[Who, keyof typeof callers, TestUser, number]> = [
    ['admin', 'reseller', customerUser, 403],
    ['cli', 'reseller', customerUser, 403],
    ['admin', 'admin', customerUser, 200],
    ['cli', 'admin', customerUser, 200],
    ['reseller', 'reseller', customerUser, 200],
    ['reseller', 'admin', customerUser, 200],
    ['customer', 'customer', techUser, 200],
    ['customer', 'reseller', techUser, 200],
    ['reseller', 'customer', techUser, 403],
    ['reseller', 'reseller', techUser, 200],
    ['admin', 'customer', techUser, 403],
    ['admin', 'reseller', techUser, 403],
    ['admin', 'admin', techUser, 200],
  ];
  for (const [author, lifter, user, expected] of table) {
    await suspendUser(author, user);
    const res = await callers[lifter].post(`/v1/users/${user.id}/unsuspend`);
    t.equal(res.status, expected, `${author} suspends a ${user.role}, ${lifter} lifts: ${JSON.stringify(res.body)}`);
    if (expected === 403) {
      t.equal(res.body.error.code, 'ACCOUNTS_ERR_SUSPENDED_ABOVE');
      t.same(res.body.error.details, { suspendedBy: LEVEL[author] });
    }
    const row = await sql('hostplane.users').where({ id: user.id }).first('status');
    t.equal(row.status, expected === 200 ? 'active' : 'suspended');
    if (expected !== 200) t.equal((await callers.admin.post(`/v1/users/${user.id}/unsuspend`)).status, 200);
  }
  t.same(await sql('plugin_accounts.user_suspensions').select('user_id'), [], 'a lifted suspension leaves no record');
});

t.test("a user's suspension carries its level to the subscriptions it takes along", async (t) => {
  await suspendUser('admin', customerUser);
  const sub = await callers.reseller.get(`/v1/subscriptions/${customers.id}`);
  t.match(sub.body, { status: 'suspended', suspendedBy: 'platform' });
  const lift = await callers.reseller.post(`/v1/subscriptions/${customers.id}/unsuspend`);
  t.equal(lift.status, 403, 'the reseller cannot bring it back one subscription at a time');
  t.equal(lift.body.error.code, 'ACCOUNTS_ERR_SUSPENDED_ABOVE');
  t.equal((await callers.admin.post(`/v1/users/${customerUser.id}/unsuspend`)).status, 200);
  t.equal((await callers.reseller.get(`/v1/subscriptions/${customers.id}`)).body.status, 'active', 'back with the user');

  await suspendUser('reseller', customerUser);
  t.equal((await callers.reseller.get(`/v1/subscriptions/${customers.id}`)).body.suspendedBy, 'reseller');
  t.equal((await callers.reseller.post(`/v1/users/${customerUser.id}/unsuspend`)).status, 200);
});

t.test('a caller that is no row of the users table (a test host’s admin) still suspends and lifts', async (t) => {
  const headers = host.headersFor('super_admin');
  const suspend = await host.inject({ method: 'POST', url: `/v1/subscriptions/${customers.id}/suspend`, headers, payload: {} });
  t.equal(suspend.statusCode, 200, suspend.body);
  await suspendUser('reseller', customerUser);
  const user = await host.inject({
    method: 'POST',
    url: `/v1/users/${customerUser.id}/unsuspend`,
    headers,
    payload: {},
  });
  t.equal(user.statusCode, 200, user.body);
  const lift = await host.inject({ method: 'POST', url: `/v1/subscriptions/${customers.id}/unsuspend`, headers, payload: {} });
  t.equal(lift.statusCode, 200, lift.body);
});
