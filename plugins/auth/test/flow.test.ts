import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost, type SignedIn } from './helpers/auth-host.js';

// One host for the file: booting one costs seconds; each test uses its own accounts.
const host = await startAuthHost(t);

t.test('register → verify → login → me → refresh → logout', async (t) => {
  const address = email('flow');

  const registered = await host.post('/v1/auth/register', { email: address, password: PASSWORD, name: 'Flo' });
  t.equal(registered.statusCode, 202, 'registration accepted');

  const early = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(early.statusCode, 403);
  t.equal(early.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_EMAIL_NOT_VERIFIED', 'unverified cannot sign in');

  const token = await host.mailToken(address, 'auth.verify-email');
  const verified = await host.post('/v1/auth/verify-email', { token });
  t.equal(verified.statusCode, 200);
  const again = await host.post('/v1/auth/verify-email', { token });
  t.equal(again.statusCode, 400, 'a verification token works once');

  const login = await host.post('/v1/auth/login', { email: address.toUpperCase(), password: PASSWORD });
  t.equal(login.statusCode, 200, 'login with the address in another case');
  const tokens = login.json<SignedIn>();
  t.match(tokens, { accessToken: /^[\w-]+\.[\w-]+\.[\w-]+$/, refreshToken: /^[a-z2-7]{52}$/, expiresIn: 900 });
  t.equal(tokens.user.email, address);
  t.equal(tokens.user.role, 'customer');
  const cookie = String(login.headers['set-cookie']);
  t.match(cookie, /^hp_session=[a-z2-7]{40}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
  t.notMatch(cookie, /Secure/, 'cookieSecure "never" in this test');

  const me = await host.get('/v1/auth/me', bearer(tokens.accessToken));
  t.equal(me.statusCode, 200);
  t.match(me.json(), {
    user: { email: address, name: 'Flo', role: 'customer' },
    via: 'bearer',
    session: { id: tokens.sessionId, twoFactor: false },
    impersonation: null,
    csrfToken: null,
  });
  t.ok(me.json<{ permissions: string[] }>().permissions.includes('auth.session.manage'));

  const refreshed = await host.post('/v1/auth/refresh', { refreshToken: tokens.refreshToken });
  t.equal(refreshed.statusCode, 200);
  const next = refreshed.json<SignedIn>();
  t.not(next.refreshToken, tokens.refreshToken, 'the refresh token rotates');
  t.not(next.accessToken, tokens.accessToken);
  t.equal(next.sessionId, tokens.sessionId, 'same session');

  const logout = await host.post('/v1/auth/logout', undefined, bearer(next.accessToken));
  t.equal(logout.statusCode, 204);
  t.match(String(logout.headers['set-cookie']), /hp_session=; .*Max-Age=0/);

  for (const [label, access] of [
    ['the access token used for logout', next.accessToken],
    ['an older access token of the same session', tokens.accessToken],
  ] as const) {
    const after = await host.get('/v1/auth/me', bearer(access));
    t.equal(after.statusCode, 401, `${label} fails at once`);
    t.equal(after.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_SESSION_REVOKED');
  }
  const refreshAfter = await host.post('/v1/auth/refresh', { refreshToken: next.refreshToken });
  t.equal(refreshAfter.statusCode, 401, 'and its refresh token too');
});

t.test('refresh token reuse revokes the session family', async (t) => {
  const address = email('reuse');
  await host.account(address);
  const first = await host.login(address);
  const other = await host.login(address);

  const second = (await host.post('/v1/auth/refresh', { refreshToken: first.refreshToken })).json<SignedIn>();
  const third = (await host.post('/v1/auth/refresh', { refreshToken: second.refreshToken })).json<SignedIn>();
  t.ok(third.accessToken);

  const replay = await host.post('/v1/auth/refresh', { refreshToken: first.refreshToken });
  t.equal(replay.statusCode, 401);
  t.equal(replay.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_REFRESH_REUSED');

  t.equal((await host.get('/v1/auth/me', bearer(third.accessToken))).statusCode, 401, 'the newest access token is dead');
  t.equal(
    (await host.post('/v1/auth/refresh', { refreshToken: third.refreshToken })).statusCode,
    401,
    'the newest refresh token too',
  );
  t.equal((await host.get('/v1/auth/me', bearer(other.accessToken))).statusCode, 200, 'another session of the user lives on');

  const [audit] = await host.sql<{ actor_id: string; target_id: string }>(
    `select actor_id, target_id from hostplane.audit_log where action = 'auth.refresh.reused'`,
  );
  t.equal(audit?.actor_id, first.user.id, 'audited against the owner');
  t.equal(audit?.target_id, first.sessionId);
});
