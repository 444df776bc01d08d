/**
 * The package page's DNS template card, with JavaScript off in Chromium: shown while the DNS
 * plugin is enabled, it starts from the platform's template; a bad record is refused beside the
 * field naming its line (what was typed is kept); a good one is saved as the package's own, the
 * sample domain's records follow it, and "use the inherited template" goes back.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import pg from 'pg';
import dns from '@hostplane/plugin-dns';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false, plugins: [dns], config: { dns: { serverIpv4: '192.0.2.80' } } }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: host.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function signedIn(tt: Test): Promise<Page> {
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

  t.test('the package page edits the package’s zone template', async (tt) => {
    const [pkg] = await query<{ id: string }>(
      'select id from plugin_accounts.packages where owner_id is null order by name limit 1',
    );
    const page = await signedIn(tt);
    await page.goto(`${host.url}/packages/${pkg!.id}`);
    const records = page.getByLabel('Template records', { exact: true });
    await records.waitFor();
    tt.match(await records.inputValue(), /^@ A \{ipv4\}$/m, 'the platform’s template to start from');
    tt.match(await page.getByText("This package uses the platform's default template.").count(), 1);
    tt.match((await page.getByRole('table', { name: 'Records of example.com' }).textContent()) ?? '', /192\.0\.2\.80/);

    await records.fill('@ A {ipv4}\n; a comment\nwww CNAME @\nwww A {ipv4}');
    await page.getByRole('button', { name: 'Save DNS template' }).click();
    const field = page.locator('#f-dnsTemplate[aria-invalid="true"]');
    await field.waitFor();
    const errorId = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0];
    tt.match((await page.locator(`#${errorId}`).textContent()) ?? '', /Line 4: .*CNAME/, 'the line is named');
    tt.match(await records.inputValue(), /www A \{ipv4\}/, 'what was typed is kept');
    tt.same(await query('select 1 from plugin_dns.package_templates where package_id = $1', [pkg!.id]), [], 'nothing saved');

    await records.fill('@ A {ipv4}\nwww 600 CNAME @\n@ MX 10 mx.{domain}\n_dmarc TXT v=DMARC1; p=quarantine');
    await page.getByRole('button', { name: 'Save DNS template' }).click();
    await page.getByText('DNS template saved.').waitFor();
    const [row] = await query<{ records: unknown }>('select records from plugin_dns.package_templates where package_id = $1', [
      pkg!.id,
    ]);
    tt.same(row?.records, [
      { name: '@', type: 'A', data: '{ipv4}' },
      { name: 'www', type: 'CNAME', ttl: 600, data: '@' },
      { name: '@', type: 'MX', data: '10 mx.{domain}' },
      { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=quarantine' },
    ]);
    tt.match((await page.getByRole('table', { name: 'Records of example.com' }).textContent()) ?? '', /mx\.example\.com\./);
    tt.equal(await page.getByText('This package has its own template.').count(), 1);

    await page.getByRole('button', { name: 'Use the inherited template' }).click();
    await page.getByText('The package uses the inherited DNS template again.').waitFor();
    tt.same(await query('select 1 from plugin_dns.package_templates where package_id = $1', [pkg!.id]), []);
  });

  t.test('a zone page resets the zone to the template, once confirmed', async (tt) => {
    const page = await signedIn(tt);
    const name = `panel-reset-${process.pid}.com`;
    await page.goto(`${host.url}/p/dns/zones`);
    await page.getByLabel('Domain').fill(name);
    await page.getByLabel('Start from the template').uncheck();
    await page.getByRole('button', { name: 'Add zone' }).click();
    await page.getByRole('link', { name }).waitFor();
    const [zone] = await query<{ id: string }>('select id from plugin_dns.zones where name = $1', [name]);
    const records = () => query<{ type: string }>('select type from plugin_dns.records where zone_id = $1', [zone!.id]);
    tt.same(await records(), [], 'made without records');
    await page.goto(`${host.url}/p/dns/zone?zone=${zone!.id}`);
    await page.getByRole('button', { name: /Reset to the template/ }).click();
    const ask = page.getByRole('region', { name: 'Please confirm' });
    await ask.waitFor();
    tt.match(await ask.textContent(), new RegExp(`Replace every record of ${name.replace(/\./g, '\\.')}`));
    await ask.getByRole('button', { name: /Reset to the template/ }).click();
    await page.getByText(/done/).first().waitFor();
    tt.same((await records()).map((r) => r.type).sort(), ['A', 'A', 'CNAME', 'MX', 'TXT', 'TXT'], 'the platform’s template');
  });
}
