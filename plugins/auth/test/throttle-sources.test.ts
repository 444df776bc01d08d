/**
 * Password attempts are throttled per (account, source), so a stranger cannot lock the owner
 * out: the source is the device cookie of an earlier sign-in to the account, else the address.
 * Addresses without the cookie also share a per-account bucket that backs off exponentially,
 * so a guess spread over many addresses still slows down.
 * Defaults: 5 failures per account and source, 20 per IP, backoff after 10, 15-minute window.
 */
import t, { type Test } from 'tap';
import { email, PASSWORD, startAuthHost } from './helpers/auth-host.js';

const host = await startAuthHost(t);
const WRONG = 'definitely not the password';

function loginFrom(ip: string, address: string, password: string, cookie?: string) {
  return host.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: address, password },
    remoteAddress: ip,
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

/** Sign in from `ip` and keep the device cookie the answer sets (`name=value`). */
async function deviceCookieOf(t: Test, ip: string, address: string): Promise<string | undefined> {
  const res = await loginFrom(ip, address, PASSWORD);
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  const cookies = ([] as unknown[]).concat(res.headers['set-cookie']).map(String);
  const device = cookies.find((c) => c.startsWith('hp_device='));
  t.ok(device, 'the sign-in set a device cookie');
  return device?.split(';')[0];
}

const codeOf = (res: { json<T>(): T }) => res.json<{ error?: { code: string } }>().error?.code;

t.test('a sign-in sets a device cookie bound to the account', async (t) => {
  const address = email('device');
  await host.account(address);
  const res = await loginFrom('10.4.0.8', address, PASSWORD);
  const device = ([] as unknown[])
    .concat(res.headers['set-cookie'])
    .map(String)
    .find((c) => c.startsWith('hp_device='));
  t.match(device, /^hp_device=[a-z2-7]{32}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=15552000$/);
  const again = await loginFrom('10.4.0.8', address, PASSWORD, device!.split(';')[0]);
  t.match(String(again.headers['set-cookie']), device!.split(';')[0]!, 'a device that has one keeps it');
});

t.test("a stranger's failures lock out only the stranger's address", async (t) => {
  const address = email('owner');
  await host.account(address);
  const device = await deviceCookieOf(t, '10.4.0.9', address);

  for (let i = 0; i < 5; i++) t.equal((await loginFrom('10.4.0.1', address, WRONG)).statusCode, 401, `failure ${i + 1}`);
  const attacker = await loginFrom('10.4.0.1', address, PASSWORD);
  t.equal(attacker.statusCode, 429, 'the address that failed waits, even with the right password');
  t.ok(Number(attacker.headers['retry-after']) > 850, 'for the window');

  t.equal((await loginFrom('10.4.0.2', address, PASSWORD)).statusCode, 200, 'the owner from another address signs in');
  t.equal(
    (await loginFrom('10.4.0.1', address, PASSWORD, device)).statusCode,
    200,
    "the owner's device signs in even from the stranger's address",
  );
});

t.test('a guess spread over many addresses slows down exponentially; the owner’s device is not held back', async (t) => {
  const address = email('spread');
  await host.account(address);
  const device = await deviceCookieOf(t, '10.5.1.1', address);

  // Ten addresses, one guess each: the account's shared bucket for unknown sources is full.
  for (let i = 1; i <= 10; i++) t.equal((await loginFrom(`10.5.0.${i}`, address, WRONG)).statusCode, 401);
  const slowed = await loginFrom('10.5.0.11', address, WRONG);
  t.equal(slowed.statusCode, 429, 'the next new address waits');
  t.equal(codeOf(slowed), 'AUTH_ERR_THROTTLED');
  t.equal(Number(slowed.headers['retry-after']), 1, 'one second after the tenth failure');

  t.equal((await loginFrom('10.5.1.2', address, PASSWORD, device)).statusCode, 200, 'the device signs in meanwhile');

  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.equal((await loginFrom('10.5.0.12', address, WRONG)).statusCode, 401, 'after the wait one more guess is checked');
  const slower = await loginFrom('10.5.0.13', address, WRONG);
  t.equal(slower.statusCode, 429);
  t.equal(Number(slower.headers['retry-after']), 2, 'and the next wait doubles');
});

t.test('a device cookie counts only for the account it signed in to', async (t) => {
  const victim = email('victim');
  const stranger = email('stranger');
  await host.account(victim);
  await host.account(stranger);
  const strangersDevice = await deviceCookieOf(t, '10.6.0.1', stranger);
  const forged = `hp_device=${'a'.repeat(32)}.${'b'.repeat(43)}`;

  for (let i = 0; i < 5; i++) await loginFrom('10.6.0.1', victim, WRONG, i % 2 ? forged : strangersDevice);
  t.equal(
    (await loginFrom('10.6.0.1', victim, WRONG, strangersDevice)).statusCode,
    429,
    "another account's device cookie is just the address",
  );
  t.equal((await loginFrom('10.6.0.1', victim, WRONG, forged)).statusCode, 429, 'a forged one too');
});

t.test("a device's own failures lock out that device only", async (t) => {
  const address = email('lost-laptop');
  await host.account(address);
  const device = await deviceCookieOf(t, '10.7.0.1', address);
  for (let i = 0; i < 5; i++) t.equal((await loginFrom('10.7.0.1', address, WRONG, device)).statusCode, 401);
  t.equal((await loginFrom('10.7.0.1', address, PASSWORD, device)).statusCode, 429, 'the device waits');
  t.equal((await loginFrom('10.7.0.2', address, PASSWORD)).statusCode, 200, 'the owner elsewhere does not');
});

t.test("a password reset lifts every source's lockout on the account", async (t) => {
  const address = email('reset-lifts');
  await host.account(address);
  for (let i = 0; i < 5; i++) await loginFrom('10.8.0.1', address, WRONG);
  t.equal((await loginFrom('10.8.0.1', address, PASSWORD)).statusCode, 429, 'locked out before');
  await host.post('/v1/auth/forgot-password', { email: address });
  const token = await host.mailToken(address, 'auth.reset-password');
  const fresh = 'a brand new passphrase 8';
  t.equal((await host.post('/v1/auth/reset-password', { token, password: fresh })).statusCode, 200);
  t.equal((await loginFrom('10.8.0.1', address, fresh)).statusCode, 200, 'the new password works from that address at once');
});
