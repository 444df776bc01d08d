/**
 * The uptime plugin's pages in Chromium with JavaScript off: a customer monitors one of their
 * websites through the form (the website chosen by name, the interval from a list), sees it in
 * the table, opens its page (figures, Check now, edit form), pauses and resumes it, and removes
 * it after confirming.
 */
import t from 'tap';
import uptime from '@hostplane/plugin-uptime';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false, plugins: [uptime] }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  t.test('monitor, open, pause, resume and remove a website’s address', async (tt) => {
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const domain = `up-${Date.now()}.example.test`;
    await page.goto(`${host.url}/websites/new`);
    await page.locator('#f-domain').fill(domain);
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('link', { name: 'Delete website…' }).waitFor();

    const nav = await page.locator('nav[aria-label="Main"]').last().getByRole('link').allTextContents();
    tt.ok(nav.includes('Uptime'), 'in the menu');
    await page.goto(`${host.url}/p/uptime/checks`);
    tt.match(await page.getByRole('main').textContent(), /No address is monitored yet/);
    await page.getByLabel('Website *').selectOption({ label: domain });
    await page.getByLabel('Protocol', { exact: true }).selectOption('http');
    await page.getByLabel('Path', { exact: true }).fill('/health');
    await page.getByLabel('Check every (minutes)', { exact: true }).selectOption('15');
    await page.getByRole('button', { name: 'Start monitoring' }).click();
    const url = `http://${domain}/health`;
    const link = page.getByRole('link', { name: url });
    await link.waitFor();
    tt.ok(await page.getByRole('cell', { name: '15', exact: true }).isVisible(), 'the interval chosen, as a number');

    await page.getByRole('button', { name: `Pause ${url}` }).click();
    await page.getByRole('button', { name: `Resume ${url}` }).waitFor();
    tt.pass('paused: Resume offered instead');
    await page.getByRole('button', { name: `Resume ${url}` }).click();
    await page.getByRole('button', { name: `Pause ${url}` }).waitFor();

    await link.click();
    await page.getByRole('heading', { name: url }).waitFor();
    tt.ok(await page.getByRole('button', { name: 'Check now' }).isVisible(), 'Check now offered');
    tt.match(await page.getByRole('main').textContent(), /No outage recorded/);
    tt.equal(await page.getByLabel('Path').inputValue(), '/health', 'the edit form starts from the check');
    await page.getByLabel('Path').fill('/status');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `http://${domain}/status` }).waitFor();
    tt.pass('saved: the heading names the new address');

    await page.goto(`${host.url}/p/uptime/checks`);
    await page.getByRole('button', { name: `Remove http://${domain}/status` }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No address is monitored yet').waitFor();
    tt.pass('removed once confirmed');
  });
}
