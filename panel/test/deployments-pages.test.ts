/**
 * Issue 13, Git deploys in the panel, in Chromium with JavaScript off: a customer finds the
 * site under Git deploys, sees a refused repository URL explained beside its field, connects
 * (the webhook secret shown once), is offered "Deploy now" only once connected, deploys, opens
 * the deployment and its connection, and makes a new webhook secret after confirming. (Deploys themselves run in the plugin's
 * tests on real git and NGINX; here no worker runs, so the deployment stays queued.)
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import deployments from '../../plugins/deployments/src/index.js';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

/** The error text an input points at (aria-describedby), once it is marked invalid. */
async function errorOf(page: Page, selector: string): Promise<string> {
  const field = page.locator(`${selector}[aria-invalid="true"]`);
  await field.waitFor();
  const id = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0];
  return (await page.locator(`#${id}`).textContent()) ?? '';
}

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false, plugins: [deployments] }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  t.test('connect, deploy, open the deployment and renew the webhook secret without JavaScript', async (tt) => {
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const domain = `git-${Date.now()}.example.test`;
    await page.goto(`${host.url}/websites/new`);
    await page.locator('#f-domain').fill(domain);
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('link', { name: 'Delete website…' }).waitFor();

    const nav = await page.locator('nav[aria-label="Main"]').last().getByRole('link').allTextContents();
    tt.ok(nav.includes('Git deploys'), 'in the menu');
    await page.goto(`${host.url}/p/deployments/sites`);
    await page.getByRole('link', { name: domain }).click();
    await page.getByRole('heading', { name: domain }).waitFor();
    tt.equal(await page.getByRole('button', { name: 'Deploy the branch now' }).count(), 0, 'no deploy before a repository');

    await page.getByLabel('Repository URL').fill('--upload-pack=touch /tmp/x');
    await page.getByRole('button', { name: 'Save repository' }).click();
    tt.match(
      await errorOf(page, '#s2-repositoryUrl'),
      /not accepted: it may not start with "-"/,
      'refused beside the field, in words',
    );

    await page.getByLabel('Repository URL').fill('https://git.example.test/owner/site.git');
    await page.getByLabel('Folder to serve').fill('dist');
    await page.getByRole('button', { name: 'Save repository' }).click();
    const saved = page.getByRole('region', { name: 'Repository saved' });
    await saved.waitFor();
    tt.match(await saved.textContent(), /Shown only this once/);
    tt.match(await saved.textContent(), /\/v1\/deployments\/hooks\//, 'the webhook address');
    tt.equal(await page.getByLabel('Folder to serve').inputValue(), 'dist', 'the form shows what is saved');

    await page.getByRole('button', { name: 'Deploy the branch now' }).click();
    await page.getByRole('region', { name: 'Deployment queued' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'manual' });
    tt.equal(await row.count(), 1, 'the deployment is listed');
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Deployment' }).waitFor();
    tt.match((await page.locator('main').textContent()) ?? '', /queued/i, 'its status');

    await page.goto(`${host.url}/p/deployments/sites`);
    await page.getByRole('row').filter({ hasText: domain }).getByRole('link').nth(1).click();
    await page.getByRole('heading', { name: 'Repository connection' }).waitFor();
    tt.match((await page.locator('main').textContent()) ?? '', /git\.example\.test\/owner\/site\.git/);
    await page.getByRole('button', { name: /^New webhook secret/ }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'New webhook secret' }).click();
    const secret = page.getByRole('region', { name: 'New webhook secret' });
    await secret.waitFor();
    tt.match(await secret.textContent(), /Shown only this once/);
  });
}
