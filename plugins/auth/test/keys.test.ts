import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost } from './helpers/auth-host.js';

const host = await startAuthHost(t, { jwtSecret: '' });
const kernel = host.kernel as unknown as {
  setConfig(id: string, config: Record<string, unknown>): Promise<unknown>;
  disable(id: string): Promise<unknown>;
  enable(id: string): Promise<unknown>;
};

t.test('without a configured secret, one is made once and kept in the plugin settings', async (t) => {
  const [setting] = await host.sql<{ value: string }>(
    `select value from hostplane.settings where scope = 'plugin:auth' and key = 'jwtSecret'`,
  );
  t.ok(setting, 'stored');
  t.equal(Buffer.from(setting!.value, 'base64url').length, 32, '32 random bytes');

  const address = email('keys');
  await host.account(address);
  const session = await host.login(address);
  await kernel.disable('auth');
  await kernel.enable('auth');
  t.equal(host.kernel.plugin('auth')?.state, 'started');
  t.equal((await host.get('/v1/auth/me', bearer(session.accessToken))).statusCode, 200, 'tokens survive a restart');
  const [again] = await host.sql<{ value: string }>(
    `select value from hostplane.settings where scope = 'plugin:auth' and key = 'jwtSecret'`,
  );
  t.equal(again!.value, setting!.value, 'the same secret is loaded, not a new one');
  t.notOk(JSON.stringify(host.logs()).includes(setting!.value), 'never logged');

  await kernel.setConfig('auth', { cookieSecure: 'never', routeRateLimitPerMinute: 100_000, jwtSecret: 'too short' });
  t.match(
    host.kernel.plugin('auth'),
    { state: 'failed', error: { phase: 'start', message: /at least 32 characters/ } },
    'a weak secret fails the plugin',
  );
  await kernel.setConfig('auth', { cookieSecure: 'never', routeRateLimitPerMinute: 100_000, jwtSecret: '' });
  // A failed plugin keeps the new config and starts when enabled again.
  await kernel.enable('auth');
  t.equal(host.kernel.plugin('auth')?.state, 'started');
  t.equal((await host.get('/v1/auth/me', bearer(session.accessToken))).statusCode, 200, 'back on the stored secret');
});

t.test('a new master secret: TOTP codes fail, recovery codes still get the user in', async (t) => {
  const address = email('rotated');
  await host.account(address);
  const session = await host.login(address);
  const setup = (await host.post('/v1/auth/2fa/setup', undefined, bearer(session.accessToken))).json<{ secret: string }>();
  const step = Math.floor(Date.now() / 30_000);
  const totp = (s: number) => generateHOTP(decodeBase32IgnorePadding(setup.secret), BigInt(s), 6);
  const enabled = await host.post('/v1/auth/2fa/enable', { code: totp(step) }, bearer(session.accessToken));
  const { recoveryCodes } = enabled.json<{ recoveryCodes: string[] }>();

  await kernel.setConfig('auth', {
    cookieSecure: 'never',
    routeRateLimitPerMinute: 100_000,
    jwtSecret: 'a-brand-new-master-secret-of-40-chars!!',
  });
  t.equal(host.kernel.plugin('auth')?.state, 'started');
  t.equal((await host.get('/v1/auth/me', bearer(session.accessToken))).statusCode, 401, 'old access tokens are void');

  const challenge = async () =>
    (await host.post('/v1/auth/login', { email: address, password: PASSWORD })).json<{ challengeToken: string }>().challengeToken;
  const withCode = await host.post('/v1/auth/login/2fa', { challengeToken: await challenge(), code: totp(step + 1) });
  t.equal(withCode.statusCode, 401, 'the old authenticator app no longer fits');
  const withRecovery = await host.post('/v1/auth/login/2fa', {
    challengeToken: await challenge(),
    recoveryCode: recoveryCodes[0],
  });
  t.equal(withRecovery.statusCode, 200, 'a recovery code does');
  const off = await host.post(
    '/v1/auth/2fa/disable',
    { password: PASSWORD, recoveryCode: recoveryCodes[1] },
    bearer(withRecovery.json<{ accessToken: string }>().accessToken),
  );
  t.equal(off.statusCode, 204, 'and 2FA can be turned off to enrol again');
  t.ok(
    host.logs().some((l) => String(l.msg).includes('TOTP secret cannot be decrypted')),
    'the cause is logged',
  );
});

t.test('every route is in the OpenAPI document', async (t) => {
  const res = await host.get('/v1/openapi.json');
  t.equal(res.statusCode, 200);
  const paths = Object.keys(res.json<{ paths: Record<string, unknown> }>().paths).filter((p) => p.startsWith('/v1/auth/'));
  t.ok(paths.length >= 20, `${paths.length} auth paths documented`);
  t.ok(paths.includes('/v1/auth/login') && paths.includes('/v1/auth/api-tokens/{id}'));
});
