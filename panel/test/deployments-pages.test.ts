/**
 * Issue 13, Git deploys in the panel, in Chromium with JavaScript off: a customer finds the
 * site under Git deploys, sees a refused repository URL explained beside its field, connects
 * (the webhook secret shown once), is offered "Deploy now" only once connected, deploys, opens
 * the deployment (its build log so far, with a refresh link while it runs) and its connection,
 * makes a new webhook secret after confirming, and disconnects after confirming. With
 * JavaScript on, a running deployment's log grows on the page as the build writes it (the API's
 * server-sent events) and the page settles when it ends. (Deploys themselves run in the
 * plugin's tests on real git and NGINX; here no worker runs, so the test writes the deployment's
 * row as the runner would.)
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
  let scripted: Browser;
  t.before(async () => {
    [host, browser, scripted] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false, plugins: [deployments] }),
      launchBrowser({ javaScriptEnabled: false }),
      launchBrowser({ javaScriptEnabled: true }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await scripted?.close();
    await host?.close();
  });
  /** The deployment's row, written as the runner writes it while it builds. */
  const runnerWrites = (id: string, patch: Record<string, unknown>) =>
    host.kernel.knex('plugin_deployments.deployments').where({ id }).update(patch);
  let deploymentPage = '';

  t.test('connect, deploy, follow the log, renew the webhook secret and disconnect without JavaScript', async (tt) => {
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
    deploymentPage = page.url();
    const deploymentId = new URL(deploymentPage).searchParams.get('deployment') ?? '';
    await runnerWrites(deploymentId, {
      status: 'running',
      phase: 'building: npm run build',
      started_at: new Date(),
      log: '==> cloning main\nbuilding the first part\n',
    });
    await page.reload();
    const log = page.getByRole('region', { name: 'Build log' });
    tt.match(await log.textContent(), /building the first part/, 'the log so far, without JavaScript');
    tt.equal(await log.getByRole('link', { name: 'Refresh' }).count(), 1, 'and a refresh link while it runs');

    await page.goto(`${host.url}/p/deployments/sites`);
    await page.getByRole('row').filter({ hasText: domain }).getByRole('link').nth(1).click();
    await page.getByRole('heading', { name: 'Repository connection' }).waitFor();
    tt.match((await page.locator('main').textContent()) ?? '', /git\.example\.test\/owner\/site\.git/);
    await page.getByRole('button', { name: /^New webhook secret/ }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'New webhook secret' }).click();
    const secret = page.getByRole('region', { name: 'New webhook secret' });
    await secret.waitFor();
    tt.match(await secret.textContent(), /Shown only this once/);

    await page.getByRole('button', { name: /^Disconnect/ }).click();
    const question = page.getByRole('region', { name: 'Please confirm' });
    tt.match(await question.textContent(), /Disconnect https:\/\/git\.example\.test\/owner\/site\.git\?/, 'asked first');
    await question.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('heading', { name: domain }).waitFor();
    tt.match(new URL(page.url()).pathname, /^\/p\/deployments\/site$/, 'on to the site’s page');
    tt.match((await page.locator('body').textContent()) ?? '', /Disconnect: done/, 'said so');
    tt.equal(await page.getByRole('button', { name: 'Deploy the branch now' }).count(), 0, 'nothing to deploy any more');
    tt.equal(await page.getByLabel('Repository URL').inputValue(), '', 'the repository form is empty again');
    tt.equal(await page.getByRole('row').filter({ hasText: 'manual' }).count(), 1, 'the history stays');
  });

  t.test('with JavaScript, a running deployment’s log grows on the page as the build writes it', async (tt) => {
    tt.ok(deploymentPage, 'the first test left a running deployment');
    const deploymentId = new URL(deploymentPage).searchParams.get('deployment') ?? '';
    const page = await scripted.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(deploymentPage);
    const log = page.getByRole('region', { name: 'Build log' });
    await log.locator('[data-following="yes"]').waitFor();
    const before = page.url();
    await runnerWrites(deploymentId, { log: '==> cloning main\nbuilding the first part\nbuilding the second part\n' });
    await log.getByText(/building the second part/).waitFor({ timeout: 10_000 });
    tt.equal(page.url(), before, 'no reload: the line arrived on the stream');
    await runnerWrites(deploymentId, {
      status: 'succeeded',
      phase: 'done',
      progress: 1,
      finished_at: new Date(),
      log: '==> cloning main\nbuilding the first part\nbuilding the second part\n==> done in 2.0 s\n',
    });
    await log.getByText(/done in 2\.0 s/).waitFor({ timeout: 10_000 });
    // The end: the page reads its sections again, and nothing says it is still running.
    await page.locator('main').getByText('succeeded').first().waitFor({ timeout: 10_000 });
    await log.getByRole('status').waitFor({ state: 'detached', timeout: 10_000 });
    tt.pass('the page settled when the deployment ended');
  });
}
