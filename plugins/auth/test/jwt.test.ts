import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import t from 'tap';
import { AccessTokenVerifier, signAccessToken } from '../src/services/jwt.js';
import { deriveKeys } from '../src/services/keys.js';
import { bearer, email, startAuthHost, TEST_SECRET } from './helpers/auth-host.js';

const jwtKey = deriveKeys(new TextEncoder().encode(TEST_SECRET)).jwt;
const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function forge(header: object, claims: object, signer: (message: string) => string): string {
  const message = `${b64(header)}.${b64(claims)}`;
  return `${message}.${signer(message)}`;
}
const hs = (algorithm: 'sha256' | 'sha512', key: KeyObject | Buffer | string) => (message: string) =>
  createHmac(algorithm, key).update(message).digest('base64url');

// One host for the file: booting one costs seconds; each test uses its own accounts.
const host = await startAuthHost(t);

t.test('access tokens: expired, tampered and wrong-algorithm tokens are refused', async (t) => {
  const address = email('jwt');
  await host.account(address);
  const session = await host.login(address);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: session.user.id,
    role: 'customer',
    sid: session.sessionId,
    jti: 'x'.repeat(32),
    iat: now,
    exp: now + 600,
  };
  const code = async (token: string) => {
    const res = await host.get('/v1/auth/me', bearer(token));
    return { status: res.statusCode, code: res.statusCode === 200 ? 'OK' : res.json<{ error: { code: string } }>().error.code };
  };

  t.same(
    await code(forge({ alg: 'HS256', typ: 'JWT' }, claims, hs('sha256', jwtKey))),
    { status: 200, code: 'OK' },
    'control: a token signed like ours works',
  );

  const cases: Array<[string, string, string]> = [
    [
      'expired',
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 1000, exp: now - 10 }, hs('sha256', jwtKey)),
      'AUTH_ERR_TOKEN_EXPIRED',
    ],
    [
      'issued in the future',
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now + 3600, exp: now + 4000 }, hs('sha256', jwtKey)),
      'AUTH_ERR_TOKEN_INVALID',
    ],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, 'AUTH_ERR_TOKEN_INVALID'],
    ['alg None (case)', `${b64({ alg: 'None' })}.${b64(claims)}.`, 'AUTH_ERR_TOKEN_INVALID'],
    ['HS512 with our key', forge({ alg: 'HS512', typ: 'JWT' }, claims, hs('sha512', jwtKey)), 'AUTH_ERR_TOKEN_INVALID'],
    [
      'RS256 header, HMAC body (key confusion)',
      forge({ alg: 'RS256', typ: 'JWT' }, claims, hs('sha256', jwtKey)),
      'AUTH_ERR_TOKEN_INVALID',
    ],
    [
      'RS256 signed with some RSA key',
      forge({ alg: 'RS256', typ: 'JWT' }, claims, (m) => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return sign('sha256', Buffer.from(m), privateKey).toString('base64url');
      }),
      'AUTH_ERR_TOKEN_INVALID',
    ],
    [
      'HS256 with another key',
      forge({ alg: 'HS256', typ: 'JWT' }, claims, hs('sha256', 'not-the-key')),
      'AUTH_ERR_TOKEN_INVALID',
    ],
    [
      'HS256 with the raw configured secret (no derivation)',
      forge({ alg: 'HS256', typ: 'JWT' }, claims, hs('sha256', TEST_SECRET)),
      'AUTH_ERR_TOKEN_INVALID',
    ],
    [
      'claims missing',
      forge({ alg: 'HS256', typ: 'JWT' }, { sub: claims.sub, exp: now + 60 }, hs('sha256', jwtKey)),
      'AUTH_ERR_TOKEN_INVALID',
    ],
    ['garbage with dots', 'abc.def.ghi', 'AUTH_ERR_TOKEN_INVALID'],
    [
      'a session that does not exist',
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: '0'.repeat(64) }, hs('sha256', jwtKey)),
      'AUTH_ERR_SESSION_REVOKED',
    ],
    [
      "another user's id on my session",
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: '00000000-0000-4000-8000-000000000009' }, hs('sha256', jwtKey)),
      'AUTH_ERR_SESSION_REVOKED',
    ],
  ];
  for (const [label, token, expected] of cases) {
    t.same(await code(token), { status: 401, code: expected }, label);
  }

  // Tampering with a real token: payload changed, signature kept.
  const [h, p, s] = session.accessToken.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const elevated = `${h}.${b64({ ...payload, role: 'super_admin' })}.${s}`;
  t.same(await code(elevated), { status: 401, code: 'AUTH_ERR_TOKEN_INVALID' }, 'payload tampered');
  const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
  t.same(await code(flipped), { status: 401, code: 'AUTH_ERR_TOKEN_INVALID' }, 'signature tampered');
  t.same(await code(session.accessToken), { status: 200, code: 'OK' }, 'the real token still works');

  // The role in a token is informational: permissions come from the account as it is now.
  const roleLie = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, role: 'super_admin' }, hs('sha256', jwtKey));
  const me = await host.get('/v1/auth/me', bearer(roleLie));
  t.equal(me.json<{ user: { role: string } }>().user.role, 'customer', 'a claimed role grants nothing');

  // An idle session past its end is gone, whatever the token says.
  await host.sql(`update plugin_auth.sessions set expires_at = now() - interval '1 second' where id = $1`, [session.sessionId]);
  t.same(await code(session.accessToken), { status: 401, code: 'AUTH_ERR_SESSION_REVOKED' }, 'expired session');

  const noScheme = await host.get('/v1/auth/me', { authorization: session.accessToken });
  t.equal(noScheme.statusCode, 401, 'a token without the Bearer scheme is not a credential');
});

t.test('permissions: a customer is refused admin routes (403), anonymous callers 401', async (t) => {
  const customer = email('customer');
  const customerId = await host.account(customer);
  const victim = await host.account(email('victim'));
  const tokens = await host.login(customer);

  const revoke = await host.post(`/v1/auth/users/${victim}/revoke-sessions`, undefined, bearer(tokens.accessToken));
  t.equal(revoke.statusCode, 403, 'customers cannot revoke other users');
  t.equal(revoke.json<{ error: { code: string } }>().error.code, 'COMMON_ERR_FORBIDDEN');
  const impersonate = await host.post('/v1/auth/impersonate', { userId: victim }, bearer(tokens.accessToken));
  t.equal(impersonate.statusCode, 403, 'customers cannot impersonate');

  t.equal((await host.get('/v1/auth/sessions')).statusCode, 401, 'anonymous: 401');
  t.equal((await host.get('/v1/auth/me')).statusCode, 401);

  // A reseller may act on its own customers only.
  const resellerAddress = email('reseller');
  const resellerId = await host.account(resellerAddress);
  await host.sql(`update hostplane.users set role = 'reseller' where id = $1`, [resellerId]);
  await host.sql(`update hostplane.users set parent_id = $1 where id = $2`, [resellerId, customerId]);
  const reseller = await host.login(resellerAddress);
  const outside = await host.post(`/v1/auth/users/${victim}/revoke-sessions`, undefined, bearer(reseller.accessToken));
  t.equal(outside.statusCode, 404, 'a user outside my tree is not found');
  const inside = await host.post(`/v1/auth/users/${customerId}/revoke-sessions`, undefined, bearer(reseller.accessToken));
  t.equal(inside.statusCode, 200);
  t.same(inside.json(), { sessions: 1, apiTokens: 0 });
  t.equal((await host.get('/v1/auth/me', bearer(tokens.accessToken))).statusCode, 401, "the customer's session is gone");

  const acting = await host.post('/v1/auth/impersonate', { userId: customerId }, bearer(reseller.accessToken));
  t.equal(acting.statusCode, 200, 'a reseller impersonates its customer');
  const asCustomer = acting.json<{ accessToken: string }>();
  const me = await host.get('/v1/auth/me', bearer(asCustomer.accessToken));
  t.match(me.json(), { user: { id: customerId }, impersonation: { impersonatorId: resellerId } });
  const nested = await host.post('/v1/auth/impersonate', { userId: customerId }, bearer(asCustomer.accessToken));
  t.equal(nested.statusCode, 403, 'no impersonation from inside an impersonation');
});

t.test('the verified-token memo answers only what verification would', async (t) => {
  const verifier = new AccessTokenVerifier(() => jwtKey, 2);
  const now = new Date();
  const { token } = signAccessToken(jwtKey, { userId: 'u', role: 'customer', sessionId: 's', ttlSeconds: 60, now });
  t.equal(verifier.verify(token, now).sid, 's');
  t.equal(verifier.verify(token, now).sid, 's', 'memoised');
  t.throws(
    () => verifier.verify(token, new Date(now.getTime() + 61_000)),
    { code: 'AUTH_ERR_TOKEN_EXPIRED' },
    'expiry is checked every time',
  );
  // Change a signature character in the middle: the last one also carries padding bits, and
  // swapping it can decode to the same bytes (a valid token), which made this test flaky.
  const at = token.length - 10;
  const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
  t.throws(() => verifier.verify(tampered, now), { code: 'AUTH_ERR_TOKEN_INVALID' }, 'another string is verified afresh');
  for (let i = 0; i < 5; i++) {
    const other = signAccessToken(jwtKey, { userId: `u${i}`, role: 'customer', sessionId: `s${i}`, ttlSeconds: 60, now }).token;
    t.equal(verifier.verify(other, now).sub, `u${i}`);
  }
  t.equal(verifier.verify(token, now).sid, 's', 'bounded: evicted entries are verified again');
});
