/**
 * A browser that signed in before keeps signing in through the panel while a stranger's wrong
 * passwords have locked its own address out of the account: the panel passes the auth
 * plugin's device cookie on to the API (plugins/auth/README.md, "Throttling").
 */
import t from 'tap';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  const [host, browser]: [PanelHost, Browser] = await Promise.all([startPanelHost(), launchBrowser()]);
  t.teardown(async () => {
    await browser.close();
    await host.close();
  });

  t.test("a stranger's guesses from the same address do not keep a known browser out", async (t) => {
    const who = host.logins.alice;
    const page = await browser.context.newPage();
    t.teardown(() => page.close());
    const signIn = async () => {
      await page.goto(`${host.url}/login`);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    };
    await signIn();
    const cookies = await browser.context.cookies();
    t.ok(
      cookies.some((c) => c.name === 'hp_device' && c.httpOnly && c.sameSite === 'Strict'),
      'the browser keeps a device cookie',
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);

    // The stranger guesses from this very address (everything here is 127.0.0.1).
    const guess = (password: string) =>
      fetch(`${host.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: who.email, password }),
      });
    for (let i = 0; i < 5; i++) t.equal((await guess('not the password at all')).status, 401);
    t.equal((await guess(who.password)).status, 429, 'the address is locked out of the account');

    await signIn();
    t.pass('the browser that signed in before signs in again through the panel');
  });
}
