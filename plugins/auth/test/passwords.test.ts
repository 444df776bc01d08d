import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost, TEST_SECRET } from './helpers/auth-host.js';

const errorCode = (res: { json<T>(): T }) => res.json<{ error: { code: string; details?: { rule?: string } } }>().error;

// One host for the file: booting one costs seconds; each test uses its own accounts.
const host = await startAuthHost(t);

t.test('reset flow: same answer either way, single-use token, all sessions end', async (t) => {
  const address = email('reset');
  const userId = await host.account(address);
  const laptop = await host.login(address);
  const phone = await host.login(address);

  const unknown = await host.post('/v1/auth/forgot-password', { email: email('nobody') });
  const known = await host.post('/v1/auth/forgot-password', { email: address });
  t.equal(unknown.statusCode, 202);
  t.equal(known.statusCode, 202);
  t.same(unknown.json(), known.json(), 'the same answer whether or not the account exists');

  const token = await host.mailToken(address, 'auth.reset-password');
  const weak = await host.post('/v1/auth/reset-password', { token, password: 'short' });
  t.equal(weak.statusCode, 400);
  t.match(errorCode(weak), { code: 'AUTH_ERR_PASSWORD_POLICY', details: { rule: 'min_length' } });

  const newPassword = 'a brand new passphrase 2';
  const reset = await host.post('/v1/auth/reset-password', { token, password: newPassword });
  t.equal(reset.statusCode, 200);
  const reused = await host.post('/v1/auth/reset-password', { token, password: 'another new passphrase 3' });
  t.equal(errorCode(reused).code, 'AUTH_ERR_RESET_INVALID', 'a reset token works once');

  for (const s of [laptop, phone])
    t.equal((await host.get('/v1/auth/me', bearer(s.accessToken))).statusCode, 401, 'every session ended');
  t.equal(
    (await host.post('/v1/auth/login', { email: address, password: PASSWORD })).statusCode,
    401,
    'the old password is gone',
  );
  t.equal((await host.post('/v1/auth/login', { email: address, password: newPassword })).statusCode, 200, 'the new one works');

  // A reset link expires after 30 minutes.
  await host.post('/v1/auth/forgot-password', { email: address });
  const late = await host.mailToken(address, 'auth.reset-password');
  await host.sql(
    `update plugin_auth.one_time_tokens set expires_at = now() - interval '1 second' where purpose = 'reset_password' and used_at is null`,
  );
  t.equal(
    errorCode(await host.post('/v1/auth/reset-password', { token: late, password: 'yet another passphrase 4' })).code,
    'AUTH_ERR_RESET_INVALID',
  );

  const [audit] = await host.sql<{ actor_id: string; ip: string; request_id: string }>(
    `select actor_id, ip, request_id from hostplane.audit_log where action = 'auth.password.reset'`,
  );
  t.match(audit, { actor_id: userId, ip: '127.0.0.1', request_id: /.+/ }, 'audited with actor, IP and request id');
});

t.test('a password reset revokes the API tokens of the account too', async (t) => {
  const address = email('reset-tokens');
  const userId = await host.account(address);
  const session = await host.login(address);
  const created = await host.post(
    '/v1/auth/api-tokens',
    { name: 'deploy script', scopes: ['auth.session.manage'] },
    bearer(session.accessToken),
  );
  t.equal(created.statusCode, 201);
  const apiToken = created.json<{ token: string }>().token;
  t.equal((await host.get('/v1/auth/me', bearer(apiToken))).statusCode, 200, 'the token works before the reset');

  await host.post('/v1/auth/forgot-password', { email: address });
  const token = await host.mailToken(address, 'auth.reset-password');
  t.equal((await host.post('/v1/auth/reset-password', { token, password: 'a brand new passphrase 7' })).statusCode, 200);

  const after = await host.get('/v1/auth/me', bearer(apiToken));
  t.equal(after.statusCode, 401, 'the token stopped working');
  t.equal(errorCode(after).code, 'AUTH_ERR_API_TOKEN_INVALID');
  const [left] = await host.sql<{ n: string }>(`select count(*) as n from plugin_auth.api_tokens where user_id = $1`, [userId]);
  t.equal(Number(left!.n), 0, 'no token of the account is left');
  const [audit] = await host.sql<{ details: { sessionsRevoked: number; apiTokensRevoked: number } }>(
    `select details from hostplane.audit_log where action = 'auth.password.reset' and actor_id = $1`,
    [userId],
  );
  t.match(audit?.details, { sessionsRevoked: 1, apiTokensRevoked: 1 }, 'the audit entry counts both');
});

t.test('change password: current password required, other sessions end', async (t) => {
  const address = email('change');
  await host.account(address);
  const current = await host.login(address);
  const other = await host.login(address);
  const auth = bearer(current.accessToken);

  const wrong = await host.post(
    '/v1/auth/change-password',
    { currentPassword: 'wrong password here', newPassword: 'a new passphrase 99' },
    auth,
  );
  t.equal(errorCode(wrong).code, 'AUTH_ERR_PASSWORD_INCORRECT');
  const common = await host.post('/v1/auth/change-password', { currentPassword: PASSWORD, newPassword: '1QAZ2WSX3EDC' }, auth);
  t.match(
    errorCode(common),
    { code: 'AUTH_ERR_PASSWORD_POLICY', details: { rule: 'common' } },
    'common passwords refused, any case',
  );
  const local = address.split('@')[0]!;
  const mine = await host.post(
    '/v1/auth/change-password',
    { currentPassword: PASSWORD, newPassword: `x${local.toUpperCase()}x` },
    auth,
  );
  t.match(errorCode(mine), { code: 'AUTH_ERR_PASSWORD_POLICY', details: { rule: 'contains_email' } });

  const changed = await host.post(
    '/v1/auth/change-password',
    { currentPassword: PASSWORD, newPassword: 'a new passphrase 99' },
    auth,
  );
  t.equal(changed.statusCode, 200);
  t.same(changed.json(), { sessionsRevoked: 1 });
  t.equal((await host.get('/v1/auth/me', auth)).statusCode, 200, 'this session lives on');
  t.equal((await host.get('/v1/auth/me', bearer(other.accessToken))).statusCode, 401, 'the other one ended');
  t.equal((await host.post('/v1/auth/login', { email: address, password: 'a new passphrase 99' })).statusCode, 200);
});

t.test('suspended accounts cannot sign in', async (t) => {
  const address = email('suspended');
  const id = await host.account(address);
  await host.sql(`update hostplane.users set status = 'suspended' where id = $1`, [id]);
  const res = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(res.statusCode, 403);
  t.equal(errorCode(res).code, 'AUTH_ERR_ACCOUNT_SUSPENDED');
  const unknown = await host.post('/v1/auth/login', { email: email('unknown'), password: PASSWORD });
  const wrong = await host.post('/v1/auth/login', { email: address, password: 'wrong password 123' });
  t.equal(errorCode(unknown).code, 'AUTH_ERR_INVALID_CREDENTIALS');
  t.same(
    { ...unknown.json<{ error: object }>().error, requestId: '' },
    { ...wrong.json<{ error: object }>().error, requestId: '' },
    'unknown address and wrong password look the same',
  );
});

t.test('registration: policy, duplicates, switches', async (t) => {
  const address = email('reg');
  const cases: Array<[string, string, string]> = [
    ['eleven chars', 'abcdefghijk', 'min_length'],
    ['common, any case', 'Q1W2E3R4T5Y6', 'common'],
    ['contains the local part', `my ${address.split('@')[0]} pass`, 'contains_email'],
  ];
  for (const [label, password, rule] of cases) {
    const res = await host.post('/v1/auth/register', { email: address, password });
    t.equal(res.statusCode, 400, label);
    t.match(errorCode(res), { code: 'AUTH_ERR_PASSWORD_POLICY', details: { rule } }, label);
  }
  const invalidEmail = await host.post('/v1/auth/register', { email: 'not an address', password: PASSWORD });
  t.equal(invalidEmail.statusCode, 400, 'the users service validates the address');
  const extra = await host.post('/v1/auth/register', { email: address, password: PASSWORD, role: 'super_admin' });
  t.equal(errorCode(extra).code, 'HOST_ERR_VALIDATION', 'unknown fields are refused');

  const first = await host.post('/v1/auth/register', { email: address, password: PASSWORD });
  const duplicate = await host.post('/v1/auth/register', { email: address.toUpperCase(), password: 'some other passphrase' });
  t.equal(first.statusCode, 202);
  t.equal(duplicate.statusCode, 202, 'a taken address gets the same answer');
  t.same(first.json(), duplicate.json());
  const mails = await host.mails(address);
  t.same(
    mails.map((m) => m.tag),
    ['auth.already-registered', 'auth.verify-email'],
    'its owner is told by mail instead',
  );

  const [user] = await host.sql<{ role: string; parent_email: string }>(
    `select u.role, p.email as parent_email from hostplane.users u join hostplane.users p on p.id = u.parent_id where u.email = $1`,
    [address],
  );
  t.same(user, { role: 'customer', parent_email: 'root@example.test' }, 'a customer of the oldest super admin');

  const resendUnknown = await host.post('/v1/auth/verify-email/resend', { email: email('ghost') });
  const resendKnown = await host.post('/v1/auth/verify-email/resend', { email: address });
  t.equal(resendUnknown.statusCode, 202);
  t.same(resendUnknown.json(), resendKnown.json(), 'resend: same answer either way');
  t.equal((await host.mails(address)).filter((m) => m.tag === 'auth.verify-email').length, 2, 'a new link was sent');

  await host.sql(`update hostplane.users set status = 'suspended' where role = 'super_admin'`);
  const open = await host.get('/v1/auth/options');
  t.same(open.json(), { registration: true }, 'sign-in pages can tell whether to offer registration');
  const unavailable = await host.post('/v1/auth/register', { email: email('late'), password: PASSWORD });
  t.equal(unavailable.statusCode, 503);
  t.equal(errorCode(unavailable).code, 'AUTH_ERR_REGISTRATION_UNAVAILABLE');
  await host.sql(`update hostplane.users set status = 'active' where role = 'super_admin'`);

  const kernel = host.kernel as unknown as { setConfig(id: string, config: Record<string, unknown>): Promise<unknown> };
  await kernel.setConfig('auth', {
    cookieSecure: 'never',
    routeRateLimitPerMinute: 100_000,
    jwtSecret: TEST_SECRET,
    registrationEnabled: false,
  });
  const disabled = await host.post('/v1/auth/register', { email: email('closed'), password: PASSWORD });
  t.equal(disabled.statusCode, 403);
  t.equal(errorCode(disabled).code, 'AUTH_ERR_REGISTRATION_DISABLED');
  t.same((await host.get('/v1/auth/options')).json(), { registration: false });
});
