import t from 'tap';
import { bearer, email, startAuthHost } from './helpers/auth-host.js';

const host = await startAuthHost(t);
const code = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;

interface TokenInfo {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  last4: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  token?: string;
}

t.test('personal API tokens: scoped, shown once, usable as Bearer, revocable', async (t) => {
  const address = email('tokens');
  await host.account(address);
  const session = await host.login(address);
  const auth = bearer(session.accessToken);

  const beyond = await host.post(
    '/v1/auth/api-tokens',
    { name: 'ci', scopes: ['auth.session.manage', 'platform.plugins.manage'] },
    auth,
  );
  t.equal(beyond.statusCode, 400);
  t.match(
    beyond.json(),
    { error: { code: 'AUTH_ERR_SCOPE_NOT_HELD', details: { scopes: ['platform.plugins.manage'] } } },
    'names what I do not hold',
  );
  const past = await host.post('/v1/auth/api-tokens', { name: 'ci', scopes: [], expiresAt: '2001-01-01T00:00:00Z' }, auth);
  t.equal(code(past), 'AUTH_ERR_EXPIRY_INVALID');

  const created = await host.post('/v1/auth/api-tokens', { name: 'deploy script', scopes: ['auth.session.manage'] }, auth);
  t.equal(created.statusCode, 201);
  const info = created.json<TokenInfo>();
  t.match(info, {
    name: 'deploy script',
    scopes: ['auth.session.manage'],
    prefix: 'hp_',
    token: /^hp_[a-z2-7]{52}$/,
    lastUsedAt: null,
  });
  t.equal(info.last4, info.token!.slice(-4));
  const [stored] = await host.sql<{ token_hash: string }>(`select token_hash from plugin_auth.api_tokens where id = $1`, [
    info.id,
  ]);
  t.match(stored!.token_hash, /^[0-9a-f]{64}$/, 'stored as a hash');

  const list = (await host.get('/v1/auth/api-tokens', auth)).json<{ items: TokenInfo[] }>();
  t.equal(list.items.length, 1);
  t.notOk('token' in list.items[0]!, 'never listed again');
  t.notOk(JSON.stringify(list).includes(info.token!), 'the token appears nowhere in the listing');

  const asToken = bearer(info.token!);
  const sessions = await host.get('/v1/auth/sessions', asToken);
  t.equal(sessions.statusCode, 200, 'works as Bearer within its scope');
  t.notOk(
    sessions.json<{ items: Array<{ current: boolean }> }>().items.some((s) => s.current),
    'no session is "current" for a token',
  );
  const outside = await host.get('/v1/auth/api-tokens', asToken);
  t.equal(outside.statusCode, 403, 'nothing beyond its scopes');
  const me = (await host.get('/v1/auth/me', asToken)).json<{
    via: string;
    permissions: string[];
    apiToken: { id: string };
    session: null;
  }>();
  t.match(me, { via: 'api-token', permissions: ['auth.session.manage'], apiToken: { id: info.id }, session: null });
  t.equal(
    code(await host.post('/v1/auth/logout', undefined, asToken)),
    'AUTH_ERR_SESSION_REQUIRED',
    'a token has no session to end',
  );
  t.equal(
    code(await host.post('/v1/auth/change-password', { currentPassword: 'x', newPassword: 'y' }, asToken)),
    'AUTH_ERR_SESSION_REQUIRED',
  );

  const used = (await host.get('/v1/auth/api-tokens', auth)).json<{ items: TokenInfo[] }>().items[0]!;
  t.ok(used.lastUsedAt, 'last use recorded');

  const someoneElse = email('else');
  await host.account(someoneElse);
  const other = await host.login(someoneElse);
  t.equal(
    (await host.inject({ method: 'DELETE', url: `/v1/auth/api-tokens/${info.id}`, headers: bearer(other.accessToken) }))
      .statusCode,
    404,
    "another user's token: 404",
  );

  await host.sql(`update plugin_auth.api_tokens set expires_at = now() - interval '1 second' where id = $1`, [info.id]);
  const expired = await host.get('/v1/auth/sessions', asToken);
  t.equal(expired.statusCode, 401);
  t.equal(code(expired), 'AUTH_ERR_API_TOKEN_INVALID', 'an expired token stops');
  await host.sql(`update plugin_auth.api_tokens set expires_at = null where id = $1`, [info.id]);

  const revoked = await host.inject({ method: 'DELETE', url: `/v1/auth/api-tokens/${info.id}`, headers: auth });
  t.equal(revoked.statusCode, 204);
  t.equal((await host.get('/v1/auth/sessions', asToken)).statusCode, 401, 'a revoked token stops at once');
  t.equal((await host.get('/v1/auth/sessions', bearer('hp_' + 'a'.repeat(52)))).statusCode, 401, 'unknown tokens: 401');

  const audited = (
    await host.sql<{ action: string }>(`select action from hostplane.audit_log where target_id = $1 order by id`, [info.id])
  ).map((r) => r.action);
  t.same(audited, ['auth.token.created', 'auth.token.revoked']);
});

t.test("a suspended user's session and API tokens stop working at once", async (t) => {
  const address = email('suspend');
  const id = await host.account(address);
  const session = await host.login(address);
  const token = (
    await host.post('/v1/auth/api-tokens', { name: 't', scopes: ['auth.session.manage'] }, bearer(session.accessToken))
  ).json<TokenInfo>().token!;
  t.equal((await host.get('/v1/auth/sessions', bearer(token))).statusCode, 200);

  await host.sql(`update hostplane.users set status = 'suspended' where id = $1`, [id]);
  t.equal((await host.get('/v1/auth/me', bearer(session.accessToken))).statusCode, 401, 'access token: 401');
  t.equal((await host.get('/v1/auth/sessions', bearer(token))).statusCode, 401, 'API token: 401');
  t.equal((await host.post('/v1/auth/refresh', { refreshToken: session.refreshToken })).statusCode, 401, 'refresh: 401');

  await host.sql(`update hostplane.users set status = 'active' where id = $1`, [id]);
  t.equal((await host.get('/v1/auth/sessions', bearer(token))).statusCode, 200, 'reactivated: the token works again');
});

t.test('sessions: list with the current one flagged, sign out one, others or all', async (t) => {
  const address = email('devices');
  await host.account(address);
  const laptop = await host.login(address);
  const phone = await host.login(address);
  const tablet = await host.login(address);

  const listed = (await host.get('/v1/auth/sessions', { ...bearer(laptop.accessToken), 'user-agent': 'laptop-browser' })).json<{
    items: Array<{ id: string; current: boolean; ip: string }>;
  }>();
  t.equal(listed.items.length, 3);
  t.same(
    listed.items.filter((s) => s.current).map((s) => s.id),
    [laptop.sessionId],
    'the caller is flagged',
  );
  t.equal(listed.items[0]!.ip, '127.0.0.1');

  const stranger = email('stranger');
  await host.account(stranger);
  const theirs = await host.login(stranger);
  const cross = await host.inject({
    method: 'DELETE',
    url: `/v1/auth/sessions/${theirs.sessionId}`,
    headers: bearer(laptop.accessToken),
  });
  t.equal(cross.statusCode, 404, "another user's session: 404");
  t.equal((await host.get('/v1/auth/me', bearer(theirs.accessToken))).statusCode, 200, 'and it lives on');

  const out = await host.inject({
    method: 'DELETE',
    url: `/v1/auth/sessions/${phone.sessionId}`,
    headers: bearer(laptop.accessToken),
  });
  t.equal(out.statusCode, 204);
  t.equal((await host.get('/v1/auth/me', bearer(phone.accessToken))).statusCode, 401, 'the phone is signed out');

  const others = await host.post('/v1/auth/sessions/revoke-others', undefined, bearer(laptop.accessToken));
  t.same(others.json(), { revoked: 1 });
  t.equal((await host.get('/v1/auth/me', bearer(tablet.accessToken))).statusCode, 401);
  t.equal((await host.get('/v1/auth/me', bearer(laptop.accessToken))).statusCode, 200, 'the caller stays');

  const history = (await host.get('/v1/auth/login-history?limit=2', bearer(laptop.accessToken))).json<{
    items: Array<{ success: boolean }>;
    nextCursor: string;
  }>();
  t.equal(history.items.length, 2);
  t.ok(history.nextCursor, 'paginated');
  const rest = (await host.get(`/v1/auth/login-history?limit=2&before=${history.nextCursor}`, bearer(laptop.accessToken))).json<{
    items: unknown[];
    nextCursor: string | null;
  }>();
  t.equal(rest.items.length, 1, 'three sign-ins in all');
  t.equal(rest.nextCursor, null);
});

t.test('CLI: hostplane auth revoke-sessions <email>', async (t) => {
  const address = email('cli');
  await host.account(address);
  const a = await host.login(address);
  await host.login(address);
  const token = (await host.post('/v1/auth/api-tokens', { name: 't', scopes: [] }, bearer(a.accessToken))).json<TokenInfo>()
    .token!;

  const kernel = host.kernel as unknown as {
    runCommand(id: string, name: string, args: string[], io: { out(s: string): void; err(s: string): void }): Promise<number>;
  };
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(`ERR ${s}`) };
  t.equal(await kernel.runCommand('auth', 'revoke-sessions', [address], io), 0);
  t.same(out, [`revoked 2 session(s) and 1 API token(s) of ${address}`]);
  t.equal((await host.get('/v1/auth/me', bearer(a.accessToken))).statusCode, 401, 'sessions gone');
  t.equal((await host.get('/v1/auth/me', bearer(token))).statusCode, 401, 'tokens gone');
  t.equal((await host.get('/health')).statusCode, 200, 'the running plugin is unaffected by the command');
  t.equal((await host.post('/v1/auth/login', { email: address, password: 'correct horse battery staple' })).statusCode, 200);

  await t.rejects(kernel.runCommand('auth', 'revoke-sessions', ['nobody@example.test'], io), { code: 'AUTH_ERR_USER_NOT_FOUND' });
  t.equal(await kernel.runCommand('auth', 'revoke-sessions', [], io), 2, 'usage error');
});
