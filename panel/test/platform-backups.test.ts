/**
 * The administrators' platform backups page, with JavaScript off in Chromium: listed in the
 * admin menu for admins only, a platform backup started from its button and shown as finished
 * once its job ran (real pg_dump and restic), and the page refused to a customer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import backups from '@hostplane/plugin-backups';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  const root = await mkdtemp(path.join(tmpdir(), 'hp-panel-platform-'));
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({
        webServer: false,
        runWorkers: true,
        plugins: [backups],
        config: { backups: { repository: path.join(root, 'repository'), platform: { schedule: '' } } },
      }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function signedIn(tt: Test, who: 'admin' | 'alice'): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins[who].email);
    await page.getByLabel('Password').fill(host.logins[who].password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    return page;
  }

  t.test('an admin backs the platform up from its page and sees it finish', async (tt) => {
    const page = await signedIn(tt, 'admin');
    const links = await page.getByRole('link').allTextContents();
    tt.ok(links.includes('Platform backups'), 'in the menu');
    await page.goto(`${host.url}/p/backups/platform`);
    await page.getByText('No platform backup yet.').waitFor();
    await page.getByRole('button', { name: 'Back the platform up now' }).click();
    let status = '';
    for (let i = 0; i < 60 && status !== 'succeeded' && status !== 'failed'; i += 1) {
      await page.goto(`${host.url}/p/backups/platform`);
      status = ((await page.locator('tbody tr').first().locator('td').first().textContent()) ?? '').trim().toLowerCase();
      if (status !== 'succeeded') await new Promise((r) => setTimeout(r, 500));
    }
    tt.equal(status, 'succeeded', 'the job ran: pg_dump into restic');
  });

  t.test('a customer has no such page', async (tt) => {
    const page = await signedIn(tt, 'alice');
    tt.notOk((await page.getByRole('link').allTextContents()).includes('Platform backups'));
    const res = await page.goto(`${host.url}/p/backups/platform`);
    tt.ok([403, 404].includes(res?.status() ?? 0), `refused (${res?.status()})`);
  });
}
