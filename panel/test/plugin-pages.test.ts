/**
 * Pages plugins declare as data (sdk/src/panel.ts), used in Chromium with JavaScript off: a
 * form whose select is filled from an API list and whose answer is shown once, a row link to
 * a detail page with a parameter and a heading read from the API, a row button that answers
 * with a one-time value, and a destructive one that asks first.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';
import { shelfPlugin } from './fixtures/shelf-plugin.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false, plugins: [shelfPlugin()] }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  async function signedIn(tt: Test): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    return page;
  }

  t.test('without JavaScript: create, open, re-key and delete through a data page', async (tt) => {
    const page = await signedIn(tt);
    const nav = await page.locator('nav[aria-label="Main"]').last().getByRole('link').allTextContents();
    tt.ok(nav.includes('Boxes'), 'the page with a nav entry is in the menu');
    tt.notOk(nav.includes('Box'), 'the detail page is not');

    await page.goto(`${host.url}/p/shelf/boxes`);
    const color = page.getByLabel('Color');
    tt.same(await color.locator('option').allTextContents(), ['Red', 'Green'], 'choices read from the API, by label');
    await page.getByLabel('Name').fill('Tools');
    await color.selectOption({ label: 'Green' });
    await page.getByRole('button', { name: 'Add box' }).click();
    const box = page.getByRole('region', { name: 'Box key' });
    await box.waitFor();
    tt.match(await box.textContent(), /Shown only this once/);
    const firstKey = await box.locator('code').textContent();
    tt.match(firstKey, /^k-[0-9a-f]{12}$/, 'the answer’s key is shown');
    tt.equal(await page.getByRole('cell', { name: 'g', exact: true }).count(), 1, 'the chosen value was submitted');

    await page.getByRole('link', { name: 'Tools' }).click();
    await page.getByRole('heading', { name: 'Tools' }).waitFor();
    tt.match(new URL(page.url()).search, /^\?box=[0-9a-f-]{36}$/, 'the detail page got the row’s id');
    tt.ok(await page.getByRole('cell', { name: "Tools's first item" }).isVisible(), 'its table read with the parameter');

    await page.goto(`${host.url}/p/shelf/box?box=no-such-box`);
    tt.ok(await page.getByRole('heading', { name: 'Page not found' }).isVisible(), 'a box the API does not know: 404');
    await page.goto(`${host.url}/p/shelf/box`);
    tt.ok(await page.getByRole('heading', { name: 'Page not found' }).isVisible(), 'no parameter: 404');

    await page.goto(`${host.url}/p/shelf/boxes`);
    await page.getByRole('button', { name: 'New key Tools' }).click();
    await page.getByRole('region', { name: 'Box key' }).waitFor();
    const secondKey = await page.getByRole('region', { name: 'Box key' }).locator('code').textContent();
    tt.match(secondKey, /^k-/);
    tt.not(secondKey, firstKey, 'a new key from the row button');

    await page.getByRole('button', { name: 'Delete Tools' }).click();
    const ask = page.getByRole('region', { name: 'Please confirm' });
    await ask.waitFor();
    tt.match(await ask.textContent(), /Delete the box Tools\?/, 'asked first, with the row’s name');
    await ask.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Delete Tools' }).waitFor();
    tt.equal(await page.getByRole('link', { name: 'Tools' }).count(), 1, 'cancelled: still there');

    await page.getByRole('button', { name: 'Delete Tools' }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Delete: done.').waitFor();
    tt.equal(await page.getByRole('link', { name: 'Tools' }).count(), 0, 'deleted once confirmed');
  });

  t.test('a row value cannot turn a button into another route', async (tt) => {
    const page = await signedIn(tt);
    await page.goto(`${host.url}/p/shelf/boxes`);
    await page.getByLabel('Name').fill('Spare');
    await page.getByLabel('Color').selectOption({ label: 'Red' });
    await page.getByRole('button', { name: 'Add box' }).click();
    await page.getByRole('region', { name: 'Box key' }).waitFor();
    // A forged row value: a path escape towards another route of the API.
    await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('form input[name="_v.id"]');
      if (input) input.value = '../../../accounts/users';
    });
    await page.getByRole('button', { name: 'New key Spare' }).click();
    await page.getByRole('alert').first().waitFor();
    tt.match(
      await page.getByRole('alert').first().textContent(),
      /box .* not found/i,
      'encoded as one id, refused by the plugin',
    );
  });
}
