/**
 * The panel's forms with JavaScript off, in Chromium. Under the host's `Referrer-Policy:
 * no-referrer`, Chromium sends `Origin: null` with a plain form post, so the origin check cannot
 * tell our own forms from a forged one: the form token (a cookie echoed by a hidden field) does.
 * Forged posts from another site stay refused.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

/** A page on another site (`localhost` is another site than `127.0.0.1`) with one form to us. */
async function attackerSite(t: Test, html: string): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'referrer-policy': 'no-referrer' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the browser keeps its connection alive
      }),
  );
  return `http://localhost:${(server.address() as AddressInfo).port}/`;
}

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  async function freshPage(tt: Test): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    return page;
  }

  /** The Origin header of every form post the page sends, to show what Chromium really sent. */
  function originsOfPosts(page: Page): string[] {
    const origins: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') origins.push(request.headers()['origin'] ?? '(none)');
    });
    return origins;
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  t.test('without JavaScript: sign in, then save the profile', async (tt) => {
    const page = await freshPage(tt);
    const origins = originsOfPosts(page);
    await signIn(page);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    tt.equal(new URL(page.url()).pathname, '/', 'signed in, on the dashboard');

    await page.goto(`${host.url}/account`);
    await page.getByLabel('Name').fill('Alice Without Script');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved.').first().waitFor();
    await page.goto(`${host.url}/account`);
    tt.equal(await page.getByLabel('Name').inputValue(), 'Alice Without Script', 'the name was saved');

    await page.getByRole('button', { name: /^Theme:/ }).click();
    await page.getByRole('button', { name: /^Theme: dark/ }).waitFor();
    tt.pass('the theme switch (a form too) works');

    tt.same([...new Set(origins)], ['null'], 'Chromium sent Origin: null with every post');
  });

  t.test('a sign-in form on another site is refused, as before', async (tt) => {
    // Login CSRF: signing the victim into the attacker's account. Same fields as ours, no token.
    const url = await attackerSite(
      tt,
      `<form method="post" action="${host.url}/login"><input name="email" value="${host.logins.bob.email}">` +
        `<input name="password" value="${host.logins.bob.password}"><button>Go</button></form>`,
    );
    const page = await freshPage(tt);
    await page.goto(`${host.url}/login`); // the victim has the panel's cookies
    await page.goto(url);
    const [response] = await Promise.all([page.waitForResponse(`${host.url}/login`), page.getByRole('button').click()]);
    tt.equal(response.status(), 403, 'refused');
    tt.equal(response.request().headers()['origin'], 'null', 'though it came with Origin: null');
    const cookies = await browser.context.cookies(host.url);
    tt.notOk(
      cookies.some((c) => c.name.endsWith('hp_session')),
      'no session was started',
    );
  });

  t.test('a signed-in form forged on another site is refused', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const url = await attackerSite(
      tt,
      `<form method="post" action="${host.url}/account"><input name="intent" value="profile">` +
        `<input name="name" value="Forged"><input name="_formToken" value="guess"><button>Go</button></form>`,
    );
    await page.goto(url);
    const [response] = await Promise.all([page.waitForResponse(`${host.url}/account`), page.getByRole('button').click()]);
    tt.equal(response.status(), 403, 'refused');
    await page.goto(`${host.url}/account`);
    tt.not(await page.getByLabel('Name').inputValue(), 'Forged', 'the name is unchanged');
  });

  t.test('posts with Origin: null and no form token, or from a foreign origin, are refused', async (tt) => {
    const body = new URLSearchParams({ email: host.logins.bob.email, password: host.logins.bob.password });
    for (const origin of ['null', 'https://evil.example']) {
      const res = await fetch(`${host.url}/login`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });
      tt.ok(res.status === 400 || res.status === 403, `Origin: ${origin} → ${res.status}`);
      tt.equal(res.headers.getSetCookie().filter((c) => c.includes('hp_session')).length, 0, 'no session');
    }
  });
}
