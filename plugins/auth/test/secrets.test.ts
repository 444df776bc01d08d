/**
 * No password, hash, token or TOTP secret appears in the logs, in the audit log, or in any API
 * response other than the one that displays it once.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost, TEST_SECRET } from './helpers/auth-host.js';

const host = await startAuthHost(t);

t.test('secrets stay where they belong', async (t) => {
  /** secret → index of the response allowed to show it (-1: none may). */
  const secrets = new Map<string, number>();
  const shownBy = (value: string, response = host.responses.length - 1) => secrets.set(value, response);
  const never = (value: string) => secrets.set(value, -1);
  never(PASSWORD);
  never(TEST_SECRET);

  const address = email('secrets');
  await host.account(address);
  const login = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  const tokens = login.json<{ accessToken: string; refreshToken: string }>();
  shownBy(tokens.accessToken);
  shownBy(tokens.refreshToken);
  shownBy(/hp_session=([a-z2-7]+)/.exec(String(login.headers['set-cookie']))![1]!);
  const auth = bearer(tokens.accessToken);

  const refreshed = (await host.post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })).json<{
    accessToken: string;
    refreshToken: string;
  }>();
  shownBy(refreshed.accessToken);
  shownBy(refreshed.refreshToken);

  const setup = (await host.post('/v1/auth/2fa/setup', undefined, auth)).json<{ secret: string }>();
  shownBy(setup.secret);
  const step = Math.floor(Date.now() / 30_000);
  const totp = (s: number) => generateHOTP(decodeBase32IgnorePadding(setup.secret), BigInt(s), 6);
  const enabled = (await host.post('/v1/auth/2fa/enable', { code: totp(step) }, auth)).json<{ recoveryCodes: string[] }>();
  for (const c of enabled.recoveryCodes) shownBy(c);

  const challenge = (await host.post('/v1/auth/login', { email: address, password: PASSWORD })).json<{
    challengeToken: string;
  }>();
  shownBy(challenge.challengeToken);
  const second = await host.post('/v1/auth/login/2fa', { challengeToken: challenge.challengeToken, code: totp(step + 1) });
  shownBy(second.json<{ accessToken: string }>().accessToken);
  shownBy(second.json<{ refreshToken: string }>().refreshToken);

  const created = (await host.post('/v1/auth/api-tokens', { name: 'ci', scopes: ['auth.session.manage'] }, auth)).json<{
    token: string;
  }>();
  shownBy(created.token);
  await host.get('/v1/auth/sessions', bearer(created.token));
  await host.get('/v1/auth/api-tokens', auth);
  await host.get('/v1/auth/me', auth);
  await host.get('/v1/auth/2fa', auth);
  await host.get('/v1/auth/login-history', auth);
  await host.post('/v1/auth/login', { email: address, password: 'a wrong password!' });

  const newPassword = 'another fine passphrase';
  never(newPassword);
  await host.post('/v1/auth/change-password', { currentPassword: PASSWORD, newPassword }, auth);
  await host.post('/v1/auth/forgot-password', { email: address });
  const resetToken = await host.mailToken(address, 'auth.reset-password');
  never(resetToken);
  const finalPassword = 'the final passphrase here';
  never(finalPassword);
  await host.post('/v1/auth/reset-password', { token: resetToken, password: finalPassword });
  await host.post('/v1/auth/register', { email: address, password: 'a duplicate signup try' });
  never('a duplicate signup try');

  // Everything stored is secret too: hashes, the encrypted TOTP secret.
  const stored = await host.sql<{ value: string }>(
    `select password_hash as value from hostplane.users where password_hash is not null
     union all select token_hash from plugin_auth.refresh_tokens
     union all select token_hash from plugin_auth.api_tokens
     union all select token_hash from plugin_auth.one_time_tokens
     union all select code_hash from plugin_auth.recovery_codes
     union all select secret_enc from plugin_auth.totp_credentials`,
  );
  t.ok(stored.length >= 12, `${stored.length} stored secrets to look for`);
  for (const { value } of stored) never(value);
  const [jwtSetting] = await host.sql(`select 1 from hostplane.settings where scope = 'plugin:auth' and key = 'jwtSecret'`);
  t.notOk(jwtSetting, 'a configured secret is not copied into settings');

  // 1. Logs.
  const logs = JSON.stringify(host.logs());
  t.ok(logs.length > 1000, 'there are logs to look at');
  const inLogs = [...secrets.keys()].filter((s) => logs.includes(s));
  t.same(inLogs, [], 'no secret in any log line');

  // 2. Responses: each secret only in the one response that displays it.
  const leaks: string[] = [];
  host.responses.forEach((res, i) => {
    const text = res.body + JSON.stringify(res.headers);
    for (const [secret, allowed] of secrets) {
      if (i !== allowed && text.includes(secret)) leaks.push(`${res.method} ${res.url} (#${i}) shows ${secret.slice(0, 8)}…`);
    }
  });
  t.same(leaks, [], `no secret outside its one-time display (${host.responses.length} responses checked)`);

  // 3. The audit log.
  const audit = JSON.stringify(await host.sql(`select * from hostplane.audit_log`));
  t.same(
    [...secrets.keys()].filter((s) => audit.includes(s)),
    [],
    'no secret in the audit log',
  );
  const actions = new Set((await host.sql<{ action: string }>(`select action from hostplane.audit_log`)).map((r) => r.action));
  for (const action of [
    'auth.login.succeeded',
    'auth.login.failed',
    'auth.2fa.enabled',
    'auth.password.changed',
    'auth.password.reset',
    'auth.token.created',
  ]) {
    t.ok(actions.has(action), `audit has ${action}`);
  }
});
