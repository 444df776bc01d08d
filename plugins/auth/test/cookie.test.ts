import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost, TEST_SECRET } from './helpers/auth-host.js';

const host = await startAuthHost(t);
const code = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;

async function cookieLogin(address: string) {
  const res = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  const setCookie = String(res.headers['set-cookie']);
  const pair = setCookie.split(';')[0]!;
  return {
    cookie: pair,
    csrfToken: res.json<{ csrfToken: string }>().csrfToken,
    setCookie,
    body: res.json<{ accessToken: string }>(),
  };
}

t.test('the panel cookie authenticates; unsafe cookie requests need x-csrf-token', async (t) => {
  const address = email('cookie');
  await host.account(address);
  const { cookie, csrfToken } = await cookieLogin(address);

  const me = await host.get('/v1/auth/me', { cookie });
  t.equal(me.statusCode, 200, 'GET with the cookie alone works');
  t.match(me.json(), { via: 'cookie', user: { email: address }, csrfToken });

  const bare = await host.post('/v1/auth/sessions/revoke-others', undefined, { cookie });
  t.equal(bare.statusCode, 403, 'no x-csrf-token: refused');
  t.equal(code(bare), 'HOST_ERR_CSRF');
  const forged = await host.post('/v1/auth/sessions/revoke-others', undefined, {
    cookie,
    'x-csrf-token': csrfToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
  });
  t.equal(forged.statusCode, 403, 'a wrong token: refused');
  const good = await host.post('/v1/auth/sessions/revoke-others', undefined, { cookie, 'x-csrf-token': csrfToken });
  t.equal(good.statusCode, 200, 'with the session token: allowed');

  const other = await cookieLogin(address);
  t.not(other.csrfToken, csrfToken, 'each session has its own CSRF token');
  const crossed = await host.post('/v1/auth/sessions/revoke-others', undefined, { cookie, 'x-csrf-token': other.csrfToken });
  t.equal(crossed.statusCode, 403, "another session's CSRF token does not fit");

  const withBearer = await host.get('/v1/auth/me', { cookie, ...bearer(other.body.accessToken) });
  t.equal(withBearer.json<{ via: string }>().via, 'bearer', 'a Bearer token wins over the cookie');
  const bearerWrite = await host.post('/v1/auth/sessions/revoke-others', undefined, bearer(other.body.accessToken));
  t.equal(bearerWrite.statusCode, 200, 'Bearer requests need no CSRF token');

  const stale = await host.post(
    '/v1/auth/login',
    { email: address, password: PASSWORD },
    { cookie: 'hp_session=' + 'a'.repeat(40) },
  );
  t.equal(stale.statusCode, 200, 'a stale cookie does not get in the way of signing in');
  t.equal((await host.get('/v1/auth/me', { cookie: 'hp_session=garbage' })).statusCode, 401, 'a bad cookie is anonymous');

  const fresh = await cookieLogin(address);
  const logout = await host.post('/v1/auth/logout', undefined, { cookie: fresh.cookie, 'x-csrf-token': fresh.csrfToken });
  t.equal(logout.statusCode, 204);
  t.equal((await host.get('/v1/auth/me', { cookie: fresh.cookie })).statusCode, 401, 'the cookie is dead after logout');
});

t.test('cookieSecure: a __Host- cookie with Secure', async (t) => {
  const address = email('secure');
  await host.account(address);
  const kernel = host.kernel as unknown as { setConfig(id: string, config: Record<string, unknown>): Promise<unknown> };
  await kernel.setConfig('auth', { cookieSecure: 'always', routeRateLimitPerMinute: 100_000, jwtSecret: TEST_SECRET });
  const { cookie, setCookie } = await cookieLogin(address);
  t.match(setCookie, /^__Host-hp_session=[a-z2-7]{40}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Expires=.+; Secure$/);
  t.equal((await host.get('/v1/auth/me', { cookie })).statusCode, 200);
});
