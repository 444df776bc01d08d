/**
 * Issue 12's tax rates and upcoming invoices pages in Chromium without JavaScript: a reseller
 * adds a rate in the form, is told beside it when the place is taken or the country is not one,
 * changes the rate on its own page (the form shows what is saved) and deletes it after
 * confirming; uploads its logo as a file and removes it; a customer sees her subscription's next
 * invoice (date, amount, lines), reached also from the core pages (her dashboard, the reseller's
 * subscriptions list) through billing's `linkFrom`.
 */
import t, { type Test } from 'tap';
import accounts from '@hostplane/plugin-accounts';
import billing from '@hostplane/plugin-billing';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

void accounts; // loaded by the panel host already; billing requires it.

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, plugins: [billing] }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  async function signedIn(tt: Test, who: 'reseller' | 'alice') {
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

  t.test('the reseller keeps its tax rates in forms without JavaScript', async (tt) => {
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/billing/tax-rates`);
    const add = async (country: string, name: string, rate: string) => {
      await page.getByLabel('Country').fill(country);
      await page.getByLabel('Name on invoices').fill(name);
      await page.getByLabel('Rate (basis points)').fill(rate);
      await page.getByRole('button', { name: 'Add' }).click();
    };
    await add('AT', 'USt 20 %', '2000');
    await page.getByText('Saved.').waitFor();
    tt.match(await page.getByRole('table').first().textContent(), /AT.*USt 20 %.*2000/s, 'listed');
    await add('AT', 'again', '100');
    await page
      .getByText(/already a tax rate for AT/)
      .first()
      .waitFor();
    await add('UK', 'VAT', '2000');
    await page
      .getByText(/not an ISO 3166-1/)
      .first()
      .waitFor();

    await page.goto(`${host.url}/p/billing/tax-rates`);
    await page.getByRole('link', { name: 'AT', exact: true }).click();
    await page.getByRole('heading', { name: 'USt 20 %' }).waitFor();
    tt.equal(await page.getByLabel('Rate (basis points)').inputValue(), '2000', 'the form shows what is saved');
    await page.getByLabel('Rate (basis points)').fill('1000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.reload();
    tt.equal(await page.getByLabel('Rate (basis points)').inputValue(), '1000');

    await page.goto(`${host.url}/p/billing/tax-rates`);
    await page.getByRole('button', { name: /^Delete AT/ }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Delete: done.').waitFor();
    tt.equal(await page.getByRole('link', { name: 'AT', exact: true }).count(), 0, 'deleted once confirmed');
  });

  t.test('the reseller sets its invoicing details and Stripe keys without JavaScript', async (tt) => {
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/billing/issuer`);
    await page.getByLabel('Name on invoices', { exact: false }).fill('Resold Hosting Ltd');
    await page.getByLabel('Invoice number prefix').fill('RH-');
    await page.getByLabel('Colour of your mails (#rrggbb)').fill('#12ab34');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    tt.equal(await page.getByLabel('Invoice number prefix').inputValue(), 'RH-', 'the form shows what is saved');
    tt.equal(await page.getByLabel('Colour of your mails (#rrggbb)').inputValue(), '#12ab34');
    await page.getByLabel('Colour of your mails (#rrggbb)').fill('red');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').first().waitFor();
    tt.match(await page.getByRole('main').textContent(), /#rrggbb|pattern/, 'a bad colour refused beside the form');
    tt.equal(await page.getByRole('button', { name: 'Store the keys' }).count(), 0, 'no Stripe here: no keys form');
  });

  t.test('the reseller uploads its logo as a file and removes it, without JavaScript', async (tt) => {
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/billing/issuer`);
    const logo = page.getByRole('region', { name: 'Logo', exact: true });
    tt.match(await logo.textContent(), /Logo on invoices and mails\s*No/, 'none yet');
    // Not an image: refused beside the file input.
    await page.getByLabel('Logo file').setInputFiles({ name: 'logo.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByRole('button', { name: 'Upload the logo' }).click();
    await page
      .getByText(/PNG or JPEG image of at most 200 KB/)
      .first()
      .waitFor();
    // A 1×1 PNG.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    await page.getByLabel('Logo file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Upload the logo' }).click();
    await page.getByText('Saved.').waitFor();
    await page.goto(`${host.url}/p/billing/issuer`);
    tt.match(await logo.textContent(), /Logo on invoices and mails\s*Yes/, 'stored');
    await logo.getByRole('button', { name: 'Remove the logo' }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Remove the logo' }).click();
    await page.getByText('Remove the logo: done.').waitFor();
    await page.goto(`${host.url}/p/billing/issuer`);
    tt.match(await logo.textContent(), /Logo on invoices and mails\s*No/, 'removed once confirmed');
    tt.equal(await logo.getByRole('button', { name: 'Remove the logo' }).count(), 0, 'nothing to remove now');
  });

  t.test('the reseller writes a draft invoice for alice and issues it, without JavaScript', async (tt) => {
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/billing/invoices`);
    const form = page.getByRole('region', { name: 'New draft invoice' });
    await form.getByLabel('Customer').selectOption({ label: host.logins.alice.email });
    await form.getByRole('button', { name: 'Start a draft' }).click();
    await page.getByRole('region', { name: 'Draft started' }).waitFor();
    await page.goto(`${host.url}/p/billing/invoices`);
    await page.getByRole('row', { name: /draft/ }).first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Add a line' }).waitFor();
    // The form posts; the page is then loaded anew (a reload would post the line again).
    const addLine = async (description: string, quantity: number, cents: number) => {
      await page.getByLabel('Description').fill(description);
      await page.getByLabel('Quantity').fill(String(quantity));
      await page.getByLabel('Unit price (cents)').fill(String(cents));
      await page.getByRole('button', { name: 'Add the line' }).click();
      await page.getByText('Saved.').waitFor();
      await page.goto(page.url());
    };
    await addLine('Website migration', 2, 4500);
    tt.match(
      await page.getByRole('table', { name: 'Lines' }).textContent(),
      /Website migration.*2.*45[.,]00.*90[.,]00/s,
      'the line',
    );
    tt.equal(await page.getByRole('row', { name: /Website migration/ }).count(), 1, 'added once');
    // A line typed by mistake comes off again while it is a draft.
    await addLine('Typo line', 1, 100);
    const lines = page.getByRole('table', { name: 'Lines' });
    await lines
      .getByRole('row', { name: /Typo line/ })
      .getByRole('button', { name: 'Remove' })
      .click();
    const confirm = page.getByRole('region', { name: 'Please confirm' });
    tt.match(await confirm.textContent(), /Remove the line "Typo line" from this draft\?/, 'asked, naming the line');
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Remove: done.').waitFor();
    await page.goto(page.url());
    tt.notMatch(await lines.textContent(), /Typo line/, 'the line is gone');
    tt.match(await lines.textContent(), /Website migration/, 'the other stays');
    await page.getByRole('button', { name: 'Issue' }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Issue' }).click();
    await page.getByText('Issue: done.').waitFor();
    tt.match(
      await page.getByRole('region', { name: 'Issued' }).textContent(),
      /RH-\d{4}-\d{5}/,
      'numbered when issued (the prefix set above)',
    );
    await page.goto(page.url());
    tt.equal(await page.getByRole('heading', { name: 'Add a line' }).count(), 0, 'issued: no more lines');
    tt.equal(await lines.getByRole('button', { name: 'Remove' }).count(), 0, 'nor a line removed');
    tt.equal(await page.getByRole('button', { name: 'Discard draft' }).count(), 0, 'nor discarded');
  });

  t.test('the reseller discards a draft started by mistake', async (tt) => {
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/billing/invoices`);
    const drafts = () => page.getByRole('row', { name: /draft/ }).count();
    const form = page.getByRole('region', { name: 'New draft invoice' });
    await form.getByLabel('Customer').selectOption({ label: host.logins.alice.email });
    await form.getByRole('button', { name: 'Start a draft' }).click();
    await page.getByRole('region', { name: 'Draft started' }).waitFor();
    await page.goto(`${host.url}/p/billing/invoices`);
    const before = await drafts();
    await page.getByRole('row', { name: /draft/ }).first().getByRole('link').click();
    await page.getByRole('button', { name: 'Discard draft' }).click();
    await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Discard draft' }).click();
    await page.waitForURL(/\/p\/billing\/invoices$/);
    tt.equal(await drafts(), before - 1, 'back on the list, one draft fewer');
  });

  t.test('the reseller’s subscriptions list links each subscription to its next invoice', async (tt) => {
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/subscriptions`);
    const row = page.getByRole('row', { name: /Starter/ }).first();
    await row.getByRole('link', { name: 'Next invoice' }).click();
    await page.getByRole('region', { name: 'Next invoice' }).waitFor();
    tt.match(page.url(), /\/p\/billing\/subscription\/[0-9a-f-]{36}$/, 'billing’s page of that subscription');
  });

  t.test('alice sees what her subscription will be invoiced next', async (tt) => {
    const page = await signedIn(tt, 'alice');
    await page.goto(`${host.url}/p/billing/upcoming-invoices`);
    const row = page.getByRole('row', { name: /Starter/ });
    tt.match(await row.textContent(), /active.*€/s, 'her active subscription, with an amount in euros');
    await page.getByRole('link', { name: 'Starter' }).click();
    await page.getByRole('heading', { name: 'Starter' }).waitFor();
    const next = page.getByRole('region', { name: 'Next invoice' });
    tt.match(await next.textContent(), /Invoiced on.*Due.*Total.*€/s, 'dates and total');
    tt.match(
      await page.getByRole('table', { name: 'Lines' }).textContent(),
      /Starter \(\d{4}-\d{2}-\d{2} – /,
      'the package line',
    );
    // The core pages link to it through billing's `linkFrom`, knowing nothing of billing.
    await page.goto(`${host.url}/`);
    await page.getByRole('region', { name: 'Starter' }).getByRole('link', { name: 'Next invoice' }).click();
    await page.getByRole('heading', { name: 'Starter' }).waitFor();
    tt.match(await page.getByRole('region', { name: 'Next invoice' }).textContent(), /Total.*€/s, 'from her dashboard');
    await page.goto(`${host.url}/p/billing/subscription/00000000-0000-4000-8000-000000000000`);
    tt.ok(await page.getByRole('heading', { name: 'Page not found' }).isVisible(), 'an unknown subscription: 404');
  });
}
