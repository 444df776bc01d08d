/**
 * Accounts made by someone above them (an admin, a reseller) through `POST /v1/users`, with the
 * accounts plugin beside this one as a real install runs them: with a password they sign in at
 * once; without one a welcome mail carries a link to choose it; self-registration still asks
 * for the address to be confirmed. An admin naming no parent puts the account under the platform.
 */
import t from 'tap';
import accounts from '../../accounts/src/index.js';
import { bearer, email, PASSWORD, startAuthHost } from './helpers/auth-host.js';

const host = await startAuthHost(t, {}, [accounts]);
const code = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;
const [platform] = await host.sql<{ id: string }>(`select id from hostplane.users where email = 'root@example.test'`);

/** A signed-in caller of `role` (registered and verified, then given the role). */
async function signedIn(role: 'super_admin' | 'reseller', parentId: string | null = platform!.id) {
  const address = email(role);
  const id = await host.account(address);
  await host.sql(`update hostplane.users set role = $1, parent_id = $2 where id = $3`, [role, parentId, id]);
  return { id, headers: bearer((await host.login(address)).accessToken) };
}

// A second administrator, newer than the platform's first one.
const admin = await signedIn('super_admin', null);
const reseller = await signedIn('reseller');

t.test('made by an admin with a password: signs in at once, under the platform', async (t) => {
  const address = email('made-by-admin');
  const created = await host.post('/v1/users', { email: address, role: 'customer', password: PASSWORD }, admin.headers);
  t.equal(created.statusCode, 201, created.body);
  const user = created.json<{ id: string; parentId: string; emailVerifiedAt: string | null }>();
  t.equal(user.parentId, platform!.id, 'no parent named: the platform, not "a customer needs a parent"');
  t.ok(user.emailVerifiedAt, 'the creator vouches for the address');
  t.equal((await host.post('/v1/auth/login', { email: address, password: PASSWORD })).statusCode, 200);
  t.same(await host.mails(address), [], 'no mail needed');

  const resellerMade = await host.post('/v1/users', { email: email('reseller'), role: 'reseller' }, admin.headers);
  t.equal(resellerMade.statusCode, 201, resellerMade.body);
  t.equal(resellerMade.json<{ parentId: string }>().parentId, platform!.id, 'a reseller too');
  const alone = await host.post('/v1/users', { email: email('alone'), role: 'reseller', parentId: null }, admin.headers);
  t.equal(alone.json<{ parentId: string | null }>().parentId, null, 'parentId: null still makes a reseller stand alone');
  const techOrphan = await host.post('/v1/users', { email: email('tech'), role: 'technical_user' }, admin.headers);
  t.equal(techOrphan.statusCode, 400, 'a technical user still needs its customer');
  t.equal(code(techOrphan), 'USERS_ERR_PARENT_INVALID');
});

t.test('made by a reseller with a password: signs in at once', async (t) => {
  const address = email('made-by-reseller');
  const created = await host.post('/v1/users', { email: address, role: 'customer', password: PASSWORD }, reseller.headers);
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.json<{ parentId: string }>().parentId, reseller.id);
  const login = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(login.statusCode, 200, login.body);
});

t.test('made without a password: a welcome mail, its link sets the password, then sign-in works', async (t) => {
  const address = email('welcome');
  await host.sql(`update hostplane.users set name = 'Resold Hosting' where id = $1`, [reseller.id]);
  const created = await host.post('/v1/users', { email: address, role: 'customer', name: 'Wanda' }, reseller.headers);
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.json<{ emailVerifiedAt: string | null }>().emailVerifiedAt, null, 'not proven yet');

  const mails = await host.mails(address);
  t.equal(mails.length, 1, 'one mail left the server');
  t.match(mails[0], { tag: 'auth.welcome', subject: /choose a password/, text: /\/reset-password\?token=/ });
  // The account's reseller sends it, in the layout every templated mail has (decision 0062).
  const [sent] = await host.sql<{ subject: string; from_name: string; html_body: string }>(
    `select subject, from_name, html_body from hostplane.outbox where to_address = $1`,
    [address],
  );
  t.match(sent, { subject: 'Your Resold Hosting account is ready: choose a password', from_name: 'Resold Hosting' });
  t.match(sent!.html_body, /<!doctype html>.*Resold Hosting/s);
  t.equal(code(await host.post('/v1/auth/login', { email: address, password: PASSWORD })), 'AUTH_ERR_INVALID_CREDENTIALS');

  const token = await host.mailToken(address, 'auth.welcome');
  const set = await host.post('/v1/auth/reset-password', { token, password: PASSWORD });
  t.equal(set.statusCode, 200, set.body);
  const login = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(login.statusCode, 200, login.body);
  const [row] = await host.sql<{ verified: boolean }>(
    `select email_verified_at is not null as verified from hostplane.users where email = $1`,
    [address],
  );
  t.equal(row?.verified, true, 'following the link proved the address');
  t.equal(
    (await host.post('/v1/auth/reset-password', { token, password: `${PASSWORD}!` })).statusCode,
    400,
    'the link works once',
  );
});

t.test('self-registration keeps its verification and gets no welcome mail', async (t) => {
  const address = email('self');
  t.equal((await host.post('/v1/auth/register', { email: address, password: PASSWORD })).statusCode, 202);
  t.equal(code(await host.post('/v1/auth/login', { email: address, password: PASSWORD })), 'AUTH_ERR_EMAIL_NOT_VERIFIED');
  t.same(
    (await host.mails(address)).map((m) => m.tag),
    ['auth.verify-email'],
  );
});
