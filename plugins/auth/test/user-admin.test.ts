/**
 * What admins and resellers do to accounts in their tree through the auth plugin: impersonate
 * (and stop), force a password reset, read the login history. Two reseller trees under one
 * admin; everything through the real host.
 */
import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost, type SignedIn } from './helpers/auth-host.js';

const host = await startAuthHost(t);
const code = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;

interface Account {
  id: string;
  email: string;
}

async function account(role: 'super_admin' | 'reseller' | 'customer', parent: Account | null): Promise<Account> {
  const address = email(role);
  const id = await host.account(address);
  await host.sql(`update hostplane.users set role = $1, parent_id = $2 where id = $3`, [role, parent?.id ?? null, id]);
  return { id, email: address };
}

const admin = await account('super_admin', null);
const otherAdmin = await account('super_admin', null);
const resellerA = await account('reseller', admin);
const resellerB = await account('reseller', admin);
const customerA = await account('customer', resellerA);
const customerB = await account('customer', resellerB);
const login = (who: Account, password = PASSWORD) => host.login(who.email, password);

/** Audit rows of `action` about `userId`, waiting for the ones written after the response. */
async function auditRows(action: string, actorId: string, atLeast: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const rows = await host.sql<{ actor_id: string; details: Record<string, unknown> }>(
      `select actor_id, details from hostplane.audit_log where action = $1 and actor_id = $2 order by id`,
      [action, actorId],
    );
    if (rows.length >= atLeast || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('impersonation: admins anyone but admins; a reseller only its own customers', async (t) => {
  const asA = bearer((await login(resellerA)).accessToken);
  const asAdmin = bearer((await login(admin)).accessToken);
  const asCustomer = bearer((await login(customerA)).accessToken);
  const start = (id: string, headers: Record<string, string>) => host.post(`/v1/users/${id}/impersonate`, undefined, headers);

  const foreign = await start(customerB.id, asA);
  t.equal(foreign.statusCode, 404, "reseller B's customer is not found for reseller A");
  t.equal(code(foreign), 'AUTH_ERR_USER_NOT_FOUND');
  t.equal((await start(resellerB.id, asA)).statusCode, 404, 'another reseller: not found');
  t.equal((await start(admin.id, asA)).statusCode, 404, 'its admin: not found');
  t.equal(code(await start(resellerA.id, asA)), 'AUTH_ERR_IMPERSONATION_REFUSED', 'not itself');
  t.equal((await start(customerA.id, asCustomer)).statusCode, 403, 'customers may not impersonate');
  t.equal(code(await start(otherAdmin.id, asAdmin)), 'AUTH_ERR_IMPERSONATION_REFUSED', 'never an admin');

  const own = await start(customerA.id, asA);
  t.equal(own.statusCode, 200, own.body);
  t.match(own.json(), { user: { id: customerA.id }, impersonator: { id: resellerA.id, email: resellerA.email } });
  t.notOk(own.headers['set-cookie'], 'a Bearer caller gets no cookie');
  const me = await host.get('/v1/auth/me', bearer(own.json<SignedIn>().accessToken));
  t.match(me.json(), {
    user: { id: customerA.id },
    impersonation: { impersonatorId: resellerA.id },
    impersonator: { id: resellerA.id, email: resellerA.email },
  });
  t.match((await host.get('/v1/auth/me', asA)).json(), { user: { id: resellerA.id }, impersonator: null });

  const byAdmin = await start(resellerB.id, asAdmin);
  t.equal(byAdmin.statusCode, 200, 'an admin impersonates a reseller');
  const nested = await start(customerB.id, bearer(byAdmin.json<SignedIn>().accessToken));
  t.equal(nested.statusCode, 403, 'no impersonation inside an impersonation');

  const older = await host.post('/v1/auth/impersonate', { userId: customerB.id }, asA);
  t.equal(older.statusCode, 404, 'the /v1/auth form applies the same rule');
});

t.test('an impersonation audits each write and its reads once; stop ends it', async (t) => {
  const reseller = await login(resellerA);
  const started = await host.post(`/v1/users/${customerA.id}/impersonate`, undefined, bearer(reseller.accessToken));
  const acting = bearer(started.json<SignedIn>().accessToken);
  await host.sql(`delete from hostplane.audit_log where action like 'auth.impersonation.%' and actor_id = $1`, [customerA.id]);

  // Browsing: what one panel page does, many times over.
  for (let i = 0; i < 5; i += 1) {
    t.equal((await host.get('/v1/auth/sessions', acting)).statusCode, 200);
    t.equal((await host.get('/v1/auth/api-tokens', acting)).statusCode, 200);
  }
  t.equal((await host.get('/v1/no-such-thing', acting)).statusCode, 404);
  // One write that succeeds and one that fails.
  t.equal((await host.post('/v1/auth/api-tokens', { name: 'as-customer', scopes: [] }, acting)).statusCode, 201);
  t.equal((await host.post('/v1/no-such-thing', {}, acting)).statusCode, 404);

  const writes = await auditRows('auth.impersonation.request', customerA.id, 2);
  t.match(
    writes,
    [
      {
        actor_id: customerA.id,
        details: { impersonatorId: resellerA.id, method: 'POST', url: '/v1/auth/api-tokens', status: 201 },
      },
      { details: { impersonatorId: resellerA.id, method: 'POST', url: '/v1/no-such-thing', status: 404 } },
    ],
    'each write is an entry of its own, failures included',
  );
  t.equal(writes.length, 2, 'and reads are not among them');
  await new Promise((r) => setTimeout(r, 200)); // entries are written after the response
  const reads = await auditRows('auth.impersonation.viewed', customerA.id, 1);
  t.equal(reads.length, 1, 'eleven reads: one entry for the session');
  t.match(reads[0], { details: { impersonatorId: resellerA.id, firstUrl: '/v1/auth/sessions', status: 200 } });
  t.equal(
    (
      await host.sql(`select 1 from hostplane.audit_log where action like 'auth.impersonation.%' and actor_id = $1`, [
        customerA.id,
      ])
    ).length,
    3,
    'twelve requests, three entries',
  );
  t.equal(
    (
      await host.sql(`select 1 from hostplane.audit_log where action = 'auth.impersonation.request' and actor_id = $1`, [
        resellerA.id,
      ])
    ).length,
    0,
    "the reseller's own requests are not impersonation requests",
  );

  const notImpersonating = await host.post('/v1/auth/impersonate/stop', undefined, bearer(reseller.accessToken));
  t.equal(notImpersonating.statusCode, 409);
  t.equal(code(notImpersonating), 'AUTH_ERR_NOT_IMPERSONATING');

  const stopped = await host.post('/v1/auth/impersonate/stop', undefined, acting);
  t.equal(stopped.statusCode, 200, stopped.body);
  t.match(stopped.json(), { stopped: true, impersonator: { id: resellerA.id }, user: { id: customerA.id } });
  t.equal((await host.get('/v1/auth/me', acting)).statusCode, 401, 'the impersonated session is over');
  t.equal((await host.get('/v1/auth/me', bearer(reseller.accessToken))).statusCode, 200, "the reseller's own session lives on");
  const [stopEntry] = await auditRows('auth.impersonation.stopped', resellerA.id, 1);
  t.match(stopEntry, { details: { impersonatorId: resellerA.id, userId: customerA.id } });
});

t.test("the panel: a second cookie acts as the user; stop drops it and the admin's cookie remains", async (t) => {
  const res = await host.post('/v1/auth/login', { email: resellerA.email, password: PASSWORD });
  const own = String(res.headers['set-cookie']).split(';')[0]!;
  const ownCsrf = res.json<{ csrfToken: string }>().csrfToken;

  const started = await host.post(`/v1/users/${customerA.id}/impersonate`, undefined, { cookie: own, 'x-csrf-token': ownCsrf });
  t.equal(started.statusCode, 200, started.body);
  const setCookie = String(started.headers['set-cookie']);
  t.match(setCookie, /^hp_impersonation=[a-z2-7]{40}; Path=\/; HttpOnly; SameSite=Lax/);
  const both = `${own}; ${setCookie.split(';')[0]!}`;

  const me = await host.get('/v1/auth/me', { cookie: both });
  t.match(me.json(), { via: 'cookie', user: { id: customerA.id }, impersonator: { id: resellerA.id } });
  const actingCsrf = me.json<{ csrfToken: string }>().csrfToken;
  t.not(actingCsrf, ownCsrf, 'unsafe requests inside the impersonation carry its own CSRF token');

  const alone = await host.get('/v1/auth/me', { cookie: setCookie.split(';')[0]! });
  t.equal(alone.statusCode, 401, "the impersonation cookie means nothing without the impersonator's session");

  const stopped = await host.post('/v1/auth/impersonate/stop', undefined, { cookie: both, 'x-csrf-token': actingCsrf });
  t.equal(stopped.statusCode, 200, stopped.body);
  const cleared = ([] as string[]).concat(stopped.headers['set-cookie'] as string | string[]);
  t.ok(
    cleared.every((c) => c.startsWith('hp_impersonation=;')),
    'only the impersonation cookie is cleared',
  );
  const back = await host.get('/v1/auth/me', { cookie: both });
  t.match(back.json(), { user: { id: resellerA.id }, impersonator: null }, 'the browser is itself again');
});

t.test('force-password-reset: signed out everywhere, login refused until a new password is set', async (t) => {
  const victim = await account('customer', resellerA);
  const session = await login(victim);
  const token = (
    await host.post('/v1/auth/api-tokens', { name: 'ci', scopes: ['auth.session.manage'] }, bearer(session.accessToken))
  ).json<{ token: string }>().token;
  const asA = bearer((await login(resellerA)).accessToken);

  t.equal((await host.post(`/v1/users/${customerB.id}/force-password-reset`, undefined, asA)).statusCode, 404, 'not in my tree');
  t.equal(code(await host.post(`/v1/users/${resellerA.id}/force-password-reset`, undefined, asA)), 'AUTH_ERR_NOT_YOURSELF');
  t.equal(
    (await host.post(`/v1/users/${victim.id}/force-password-reset`, undefined, bearer(session.accessToken))).statusCode,
    403,
    'customers may not',
  );

  const forced = await host.post(`/v1/users/${victim.id}/force-password-reset`, undefined, asA);
  t.equal(forced.statusCode, 200, forced.body);
  t.same(forced.json(), { sessionsRevoked: 1, apiTokensRevoked: 1, mailSent: true });
  t.equal((await host.get('/v1/auth/me', bearer(session.accessToken))).statusCode, 401, 'the session ended');
  t.equal((await host.get('/v1/auth/sessions', bearer(token))).statusCode, 401, 'the API token ended');
  t.equal((await host.post('/v1/auth/refresh', { refreshToken: session.refreshToken })).statusCode, 401);

  const refused = await host.post('/v1/auth/login', { email: victim.email, password: PASSWORD });
  t.equal(refused.statusCode, 403);
  t.equal(code(refused), 'AUTH_ERR_PASSWORD_RESET_REQUIRED');
  t.notOk(refused.headers['set-cookie'], 'no session');
  t.notMatch(refused.body, /token/i, 'the old password earns no reset token');
  t.equal(
    code(await host.post('/v1/auth/login', { email: victim.email, password: 'wrong password here' })),
    'AUTH_ERR_INVALID_CREDENTIALS',
    'a wrong password learns nothing about the requirement',
  );

  const mail = (await host.mails(victim.email)).find((m) => m.tag === 'auth.forced-reset');
  t.match(mail, { subject: 'Choose a new password', text: /72 hours/ });
  const resetToken = await host.mailToken(victim.email, 'auth.forced-reset');
  const newPassword = 'a brand new passphrase';
  t.equal((await host.post('/v1/auth/reset-password', { token: resetToken, password: newPassword })).statusCode, 200);
  t.equal(
    (await host.post('/v1/auth/login', { email: victim.email, password: newPassword })).statusCode,
    200,
    'the new password signs in',
  );

  const [entry] = await auditRows('auth.password.reset-forced', resellerA.id, 1);
  t.match(entry, { details: { sessionsRevoked: 1, apiTokensRevoked: 1 } });
  const history = await host.get(`/v1/users/${victim.id}/login-history`, asA);
  t.match(history.json<{ items: Array<{ success: boolean; reason: string | null }> }>().items.slice(0, 3), [
    { success: true, reason: null },
    { success: false, reason: 'invalid_password' },
    { success: false, reason: 'password_reset_required' },
  ]);
});

t.test('login history of a user: admins anyone, resellers their tree, paged', async (t) => {
  const subject = await account('customer', resellerB);
  await host.post('/v1/auth/login', { email: subject.email, password: 'not the password' });
  await login(subject);
  await login(subject);
  const asB = bearer((await login(resellerB)).accessToken);
  const asA = bearer((await login(resellerA)).accessToken);
  const asAdmin = bearer((await login(admin)).accessToken);

  const first = await host.get(`/v1/users/${subject.id}/login-history?limit=2`, asB);
  t.equal(first.statusCode, 200, first.body);
  const page = first.json<{ items: Array<{ success: boolean; ip: string }>; nextCursor: string }>();
  t.match(page.items, [{ success: true }, { success: true }]);
  t.ok(page.nextCursor);
  const rest = await host.get(`/v1/users/${subject.id}/login-history?limit=2&before=${page.nextCursor}`, asB);
  t.match(rest.json(), { items: [{ success: false, reason: 'invalid_password' }], nextCursor: null });

  t.equal((await host.get(`/v1/users/${subject.id}/login-history`, asAdmin)).statusCode, 200, 'admins read anyone');
  t.equal((await host.get(`/v1/users/${subject.id}/login-history`, asA)).statusCode, 404, 'reseller A: not in my tree');
  const asSubject = bearer((await login(subject)).accessToken);
  t.equal((await host.get(`/v1/users/${customerB.id}/login-history`, asSubject)).statusCode, 403, 'customers: forbidden');
  t.equal((await host.get(`/v1/users/${subject.id}/login-history?limit=0`, asB)).statusCode, 400);
});
