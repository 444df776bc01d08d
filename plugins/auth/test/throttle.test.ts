import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost } from './helpers/auth-host.js';

// Default limits: 5 failures per account, 20 per IP, 3 mails per address, 15-minute window.
// Every request here comes from 127.0.0.1, so the per-IP test goes last.
const host = await startAuthHost(t);
const WRONG = 'definitely not the password';
const code = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;
let ipFailures = 0;

async function failLogin(address: string) {
  const res = await host.post('/v1/auth/login', { email: address, password: WRONG });
  ipFailures += 1;
  return res;
}

t.test('five failed logins lock the account for the window: 429 with Retry-After', async (t) => {
  const address = email('locked');
  await host.account(address);
  for (let i = 0; i < 5; i++) t.equal((await failLogin(address)).statusCode, 401, `failure ${i + 1}`);
  const locked = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(locked.statusCode, 429, 'even the right password waits');
  t.equal(code(locked), 'AUTH_ERR_THROTTLED');
  const retryAfter = Number(locked.headers['retry-after']);
  t.ok(retryAfter > 850 && retryAfter <= 900, `Retry-After ${retryAfter} s (window 15 min)`);
  t.equal(locked.json<{ error: { details: { retryAfterSeconds: number } } }>().error.details.retryAfterSeconds, retryAfter);

  const other = email('neighbour');
  await host.account(other);
  t.equal(
    (await host.post('/v1/auth/login', { email: other, password: PASSWORD })).statusCode,
    200,
    'other accounts are not affected',
  );
  const upper = await host.post('/v1/auth/login', { email: address.toUpperCase(), password: PASSWORD });
  t.equal(upper.statusCode, 429, 'the account key ignores case');

  const unknown = email('nobody');
  for (let i = 0; i < 5; i++) await failLogin(unknown);
  t.equal((await failLogin(unknown)).statusCode, 429, 'unknown addresses are throttled alike (no enumeration)');
  ipFailures -= 1; // the throttled attempt was not counted as a failure

  const [entry] = await host.sql<{ n: string }>(
    `select count(*) as n from hostplane.audit_log where action = 'auth.login.failed' and details->>'reason' = 'throttled'`,
  );
  t.ok(Number(entry!.n) >= 2, 'throttled attempts are audited');
});

t.test('a successful login clears the account failures', async (t) => {
  const address = email('clears');
  await host.account(address);
  for (let i = 0; i < 4; i++) await failLogin(address);
  t.equal((await host.post('/v1/auth/login', { email: address, password: PASSWORD })).statusCode, 200);
  for (let i = 0; i < 4; i++) await failLogin(address);
  t.equal((await host.post('/v1/auth/login', { email: address, password: PASSWORD })).statusCode, 200, 'counting started again');
});

t.test('wrong 2FA codes are throttled per account', async (t) => {
  const address = email('2fa');
  await host.account(address);
  const session = await host.login(address);
  const setup = (await host.post('/v1/auth/2fa/setup', undefined, bearer(session.accessToken))).json<{ secret: string }>();
  const step = Math.floor(Date.now() / 30_000);
  const good = generateHOTP(decodeBase32IgnorePadding(setup.secret), BigInt(step), 6);
  t.equal((await host.post('/v1/auth/2fa/enable', { code: good }, bearer(session.accessToken))).statusCode, 200);
  const wrong = good === '000000' ? '111111' : '000000';
  let challengeToken = '';
  for (let i = 0; i < 5; i++) {
    // A challenge takes at most five wrong codes; start over when it is spent.
    if (i % 5 === 0)
      challengeToken = (await host.post('/v1/auth/login', { email: address, password: PASSWORD })).json<{
        challengeToken: string;
      }>().challengeToken;
    t.equal((await host.post('/v1/auth/login/2fa', { challengeToken, code: wrong })).statusCode, 401);
  }
  const fresh = (await host.post('/v1/auth/login', { email: address, password: PASSWORD })).json<{ challengeToken: string }>();
  const next = generateHOTP(decodeBase32IgnorePadding(setup.secret), BigInt(step + 1), 6);
  const throttled = await host.post('/v1/auth/login/2fa', { challengeToken: fresh.challengeToken, code: next });
  t.equal(throttled.statusCode, 429, 'the right code waits too');
  t.ok(Number(throttled.headers['retry-after']) > 0);
  const spent = await host.post('/v1/auth/login/2fa', { challengeToken, code: next });
  t.equal(code(spent), 'AUTH_ERR_CHALLENGE_INVALID', 'five wrong codes spend a challenge');
});

t.test('reset mails are limited per address, known or not', async (t) => {
  for (const address of [email('forgot'), email('forgot-unknown')]) {
    for (let i = 0; i < 3; i++) t.equal((await host.post('/v1/auth/forgot-password', { email: address })).statusCode, 202);
    const fourth = await host.post('/v1/auth/forgot-password', { email: address });
    t.equal(fourth.statusCode, 429);
    t.ok(Number(fourth.headers['retry-after']) > 0);
  }
  t.equal(
    (await host.post('/v1/auth/reset-password', { token: 'a'.repeat(52), password: PASSWORD })).statusCode,
    400,
    'bad reset tokens are refused',
  );
});

t.test('twenty failures from one IP lock that IP out of every account', async (t) => {
  const address = email('ip');
  await host.account(address);
  while (ipFailures < 20) {
    const res = await failLogin(email('spray'));
    t.equal(res.statusCode, 401);
  }
  const blocked = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(blocked.statusCode, 429, 'a fresh account from the same IP waits');
  t.equal(code(blocked), 'AUTH_ERR_THROTTLED');
});
