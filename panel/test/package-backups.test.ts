/**
 * The package form's backups card, with JavaScript off in Chromium: shown only while the backups
 * plugin is enabled; its schedule, window, retention and storage are saved as the package's
 * (empty: the platform's default), and a bad value is named beside its field.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import pg from 'pg';
import backups from '@hostplane/plugin-backups';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let without: PanelHost;
  let withBackups: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [without, withBackups, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false }),
      startPanelHost({ webServer: false, runWorkers: false, plugins: [backups] }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await without?.close();
    await withBackups?.close();
  });

  async function signedIn(tt: Test, host: PanelHost): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.admin.email);
    await page.getByLabel('Password').fill(host.logins.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    return page;
  }

  t.test('without the backups plugin the package form has no backups fields', async (tt) => {
    const page = await signedIn(tt, without);
    await page.goto(`${without.url}/packages/new`);
    await page.getByRole('button', { name: 'Create package' }).waitFor();
    tt.equal(await page.locator('[name="features.backup_frequency"]').count(), 0);
    tt.equal(await page.locator('[name="limits.backup_storage_mb"]').count(), 0);
  });

  t.test('with it, the fields are saved with the package and shown again', async (tt) => {
    const page = await signedIn(tt, withBackups);
    await page.goto(`${withBackups.url}/packages/new`);
    await page.locator('#f-name').fill('Weekly nights');
    await page.getByLabel('Currency (ISO code)').fill('EUR');
    await page.getByLabel('How often').selectOption('weekly');
    await page.getByLabel('Weekly on').selectOption('3');
    await page.getByLabel('Window from').selectOption('22');
    await page.getByLabel('Window to').selectOption('4');
    await page.getByLabel('Keep weekly').fill('8');
    await page.getByLabel('Backup storage (MB)').fill('2048');
    await page.getByRole('button', { name: 'Create package' }).click();
    await page.waitForURL(`${withBackups.url}/packages`);
    const client = new pg.Client({ connectionString: withBackups.databaseUrl });
    await client.connect();
    const {
      rows: [row],
    } = await client.query('select id, limits, features from plugin_accounts.packages where name = $1', ['Weekly nights']);
    await client.end();
    tt.match(row.features, {
      backup_frequency: 'weekly',
      backup_weekday: 3,
      backup_window_from: 22,
      backup_window_to: 4,
      backup_keep_daily: null,
      backup_keep_weekly: 8,
      backup_keep_monthly: null,
    });
    tt.equal(row.limits.backup_storage_mb, 2048);

    await page.goto(`${withBackups.url}/packages/${row.id}`);
    tt.equal(await page.getByLabel('How often').inputValue(), 'weekly');
    tt.equal(await page.getByLabel('Window to').inputValue(), '4');
    tt.equal(await page.getByLabel('Keep weekly').inputValue(), '8');
    await page.getByLabel('Keep daily').fill('many');
    await page.getByRole('button', { name: 'Save package' }).click();
    const field = page.locator('#f-features-backup_keep_daily[aria-invalid="true"]');
    await field.waitFor();
    const errorId = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0];
    tt.match((await page.locator(`#${errorId}`).textContent()) ?? '', /Keep daily/, 'named in words beside the field');
    tt.equal(await page.getByLabel('How often').inputValue(), 'weekly', 'the other choices are kept');
  });
}
