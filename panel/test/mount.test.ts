/**
 * The panel inside the host, over plain HTTP (no browser): what it serves next to the API, its
 * headers, and that it adds no authority of its own (the API judges sessions and CSRF).
 */
import { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import t, { type Test } from 'tap';
import { createHost } from '@hostplane/host';
import { PANEL_DIR } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';
import path from 'node:path';
import pg from 'pg';

const built = existsSync(path.join(PANEL_DIR, 'build', 'server', 'index.js'));
if (!built && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') {
  t.fail('the panel is not built (npm run build -w @hostplane/panel)');
} else if (!built) {
  t.plan(0, 'skipped: the panel is not built (npm run build -w @hostplane/panel)');
} else {
  let host: PanelHost;
  t.before(async () => {
    host = await startPanelHost({ webServer: false, runWorkers: false });
  });
  t.teardown(() => host?.close());

  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${host.url}${p}`, { headers, redirect: 'manual' });
  const postForm = (p: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${host.url}${p}`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { origin: host.url, ...headers },
      redirect: 'manual',
    });
  async function sessionOf(tt: Test, who: { email: string; password: string }): Promise<string> {
    const res = await postForm('/login', { email: who.email, password: who.password });
    tt.equal(res.status, 302, 'the login form redirects');
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('hp_session='));
    if (!cookie) throw new Error('no session cookie');
    return cookie;
  }

  t.test('pages carry a CSP nonce matching their inline scripts; API paths keep JSON 404s', async (t) => {
    const page = await get('/login');
    t.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    t.ok(nonce, 'a nonce in the CSP');
    t.match(csp, "style-src 'self'", 'no inline styles allowed');
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
    t.ok(scripts.length > 0 && scripts.every((attrs) => attrs.includes(`nonce="${nonce}"`)), 'every script carries it');

    const missing = await get('/v1/nothing-here');
    t.equal(missing.status, 404);
    t.equal(((await missing.json()) as { error: { code: string } }).error.code, 'HOST_ERR_NOT_FOUND', 'the API 404 is JSON');

    const asset = /\/assets\/entry\.client-[\w-]+\.js/.exec(html)?.[0];
    const js = await get(asset ?? '/missing', { 'accept-encoding': 'gzip' });
    t.equal(js.status, 200, 'built assets are served');
    t.match(js.headers.get('cache-control'), /immutable/, 'with immutable caching');
    t.equal(js.headers.get('content-encoding'), 'gzip', 'compressed');
  });

  t.test('a stale session cookie goes to the login page, marked expired, with the way back', async (t) => {
    const res = await get('/account', { cookie: 'hp_session=notavalidsession' });
    t.equal(res.status, 302);
    t.equal(res.headers.get('location'), '/login?next=%2Faccount&expired=1');
    const post = await postForm(
      '/account',
      { intent: 'profile', name: 'x', _csrf: 'x' },
      { cookie: 'hp_session=notavalidsession' },
    );
    t.equal(post.headers.get('location'), '/login?next=%2Faccount&expired=1', 'a form posted after expiry too');
  });

  t.test('form posts obey the host body limit', async (t) => {
    const res = await postForm('/login', { email: 'x@example.test', password: 'x'.repeat(2 * 1024 * 1024) });
    t.equal(res.status, 413);
  });

  t.test('the file manager’s upload form takes a file larger than other forms, up to its own limit', async (t) => {
    const upload = (bytes: number) => {
      const body = new FormData();
      body.set('intent', 'upload');
      body.set('file', new Blob([new Uint8Array(bytes)]), 'big.bin');
      return fetch(`${host.url}/websites/00000000-0000-4000-8000-000000000000/files`, {
        method: 'POST',
        body,
        headers: { origin: host.url },
        redirect: 'manual',
      });
    };
    const two = await upload(2 * 1024 * 1024);
    t.not(two.status, 413, `2 MiB reaches the page (${two.status}: anonymous, so it is sent to sign in)`);
    t.equal((await upload(50 * 1024 * 1024)).status, 413, 'past the files API’s own limit: refused while read');
  });

  t.test('a wrong password shows the error on the login page, without JavaScript', async (t) => {
    const res = await postForm('/login', { email: host.logins.alice.email, password: 'not the password' });
    t.equal(res.status, 200);
    const html = await res.text();
    t.match(html, /role="alert"[^>]*>[^<]*(invalid|incorrect|wrong)/i);
    t.match(html, `value="${host.logins.alice.email}"`, 'the address is kept');
    t.notMatch(html, 'not the password', 'the password is never echoed');
  });

  t.test('the panel adds no CSRF token of its own: a post without the form token is refused by the API', async (t) => {
    const cookie = await sessionOf(t, host.logins.alice);
    const refused = await postForm('/account', { intent: 'profile', name: 'Mallory' }, { cookie });
    t.match(await refused.text(), /x-csrf-token/, 'the API refused it');
    const me = (await (await get('/v1/auth/me', { cookie })).json()) as { user: { name: string }; csrfToken: string };
    t.not(me.user.name, 'Mallory', 'nothing changed');

    const accepted = await postForm('/account', { intent: 'profile', name: 'Alice A.', _csrf: me.csrfToken }, { cookie });
    t.match(await accepted.text(), /Profile saved/, 'with the token it works');
    const cross = await postForm(
      '/account',
      { intent: 'profile', name: 'Eve', _csrf: me.csrfToken },
      { cookie, origin: 'https://evil.example' },
    );
    t.ok(cross.status >= 400, 'a cross-origin post is refused');
  });

  async function mailToken(to: string, tag: string): Promise<string> {
    const client = new pg.Client({ connectionString: host.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ text: string }>(
        'select text_body as text from hostplane.outbox where to_address = $1 and tag = $2 order by created_at desc limit 1',
        [to, tag],
      );
      const token = /token=([a-z0-9]+)/.exec(rows[0]?.text ?? '')?.[1];
      if (!token) throw new Error(`no ${tag} mail to ${to}`);
      return token;
    } finally {
      await client.end();
    }
  }

  t.test('the sign-in page offers registration only while the auth plugin takes it', async (t) => {
    t.match(await (await get('/login')).text(), /href="\/register"/);
    // Masked secrets are kept as stored by setConfig.
    const config = await host.kernel.getConfig('auth');
    await host.kernel.setConfig('auth', { ...config, registrationEnabled: false });
    t.teardown(async () => {
      await host.kernel.setConfig('auth', { ...config, registrationEnabled: true });
    });
    t.notMatch(await (await get('/login')).text(), /href="\/register"/, 'no link when closed');
    t.match(await (await get('/register')).text(), /created by your provider/, 'and the page says why');
  });

  t.test('register, confirm the address, forget and reset the password: all as plain forms', async (t) => {
    const email = `dana-${Date.now()}@example.test`;
    const password = 'a long and unusual passphrase 42';
    const registered = await postForm('/register', { email, name: 'Dana', password });
    t.match(await registered.text(), /Check your inbox/, 'registered');

    const verifyPage = await get(`/verify-email?token=${await mailToken(email, 'auth.verify-email')}`);
    const token = /name="token" value="([a-z0-9]+)"/.exec(await verifyPage.text())?.[1] ?? '';
    t.ok(token, 'the link opens a page with a confirm button (mail scanners do not confirm by following it)');
    const verified = await postForm('/verify-email', { token });
    t.equal(verified.headers.get('location'), '/login?verified=1', 'confirmed, then to sign in');
    await sessionOf(t, { email, password });

    const forgot = await postForm('/forgot-password', { email });
    t.match(await forgot.text(), /reset link is on its way/);
    const resetToken = await mailToken(email, 'auth.reset-password');
    const weak = await postForm(`/reset-password?token=${resetToken}`, { token: resetToken, password: 'short' });
    t.match(await weak.text(), /id="f-password-error"/, 'the policy error sits by the field');
    const reset = await postForm('/reset-password', { token: resetToken, password: `${password} renewed` });
    t.equal(reset.headers.get('location'), '/login', 'reset, then to sign in');
    await sessionOf(t, { email, password: `${password} renewed` });
  });

  t.test('an admin changes a plugin config through the generated form; a bad value is refused by its field', async (t) => {
    const cookie = await sessionOf(t, host.logins.admin);
    const form = await (await get('/admin/plugins/hello', { cookie })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
    t.match(form, /id="cfg-greeting"[^>]*value="Hello"/, 'current values in the inputs');
    const bad = await postForm('/admin/plugins/hello', { _csrf: csrf, greeting: 'Hi', keepDays: '0' }, { cookie });
    t.match(await bad.text(), /id="cfg-keepDays-error"/, 'the error sits by keepDays');
    const saved = await postForm('/admin/plugins/hello', { _csrf: csrf, greeting: 'Hi', keepDays: '7' }, { cookie });
    t.match(await saved.text(), /Config saved/);
    const config = (await (await get('/v1/plugins/hello/config', { cookie })).json()) as { config: Record<string, unknown> };
    t.same(config.config, { greeting: 'Hi', keepDays: 7 }, 'stored');

    const auth = await (await get('/admin/plugins/auth', { cookie })).text();
    t.match(
      auth,
      /id="cfg-jwtSecret"[^>]*type="password"|type="password"[^>]*id="cfg-jwtSecret"/,
      'a secret is a password input',
    );
    t.notMatch(auth, /value="\*{8}"/, 'its stored value is never put in the page');
  });

  t.test('GET /v1/panel/pages lists the pages the caller may see', async (t) => {
    t.equal((await get('/v1/panel/pages')).status, 401, 'not for visitors');
    const cookie = await sessionOf(t, host.logins.alice);
    const { items } = (await (await get('/v1/panel/pages', { cookie })).json()) as {
      items: Array<{ path: string; sections: unknown[] }>;
    };
    t.ok(
      items.some((p) => p.path === '/p/hello/greetings'),
      'the hello page, which alice may read',
    );
    const greetings = items.find((p) => p.path === '/p/hello/greetings');
    t.match(
      greetings?.sections,
      [{ kind: 'text' }, { kind: 'table' }, { kind: 'form', schema: { type: 'object' } }],
      'sections as declared',
    );
  });

  t.test('without a build the host serves the API and says how to build the panel', async (t) => {
    const lines: string[] = [];
    const logger = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const bare = await createHost({
      kernel: host.kernel,
      logger,
      panel: { buildDirectory: path.join(PANEL_DIR, 'no-such-build') },
    });
    t.teardown(() => bare.close());
    t.equal((await bare.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the API answers');
    t.equal((await bare.inject({ method: 'GET', url: '/login' })).statusCode, 404, 'no panel');
    t.match(lines.join(''), /the panel is not built.*npm run build/, 'the log says what to do');
  });
}
