/**
 * A detail page a plugin declares as data (sdk/src/panel.ts), in Chromium with JavaScript off:
 * a row links to `/p/ledger/bill/<id>`; the page shows the bill's fields in their formats and
 * its lines from an array field (in the bill's currency), and a form only while the bill is open; it offers only the buttons the caller's permission and the
 * bill's state allow; one button follows the URL its answer names (a hosted checkout), another
 * asks first and shows what the answer says; a download passes the file's bytes through as they
 * are; and what the page would not offer is refused when forged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';
import { ledgerPlugin, PDF_BYTES } from './fixtures/ledger-plugin.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  // The "payment provider": a page of another origin the Pay button sends the browser to.
  const checkout: Server = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Checkout</title><h1>Checkout ${req.url}</h1>`),
  );
  await new Promise<void>((r) => checkout.listen(0, '127.0.0.1', r));
  const checkoutUrl = `http://127.0.0.1:${(checkout.address() as AddressInfo).port}`;
  const ledger = ledgerPlugin({ checkoutUrl: () => checkoutUrl });
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({ webServer: false, runWorkers: false, plugins: [ledger.plugin] }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
    await new Promise((r) => checkout.close(r));
  });

  async function signedIn(tt: Test, who: 'alice' | 'reseller'): Promise<Page> {
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

  const buttons = async (page: Page) =>
    (await page.getByRole('region', { name: 'Summary' }).getByRole('button').allTextContents()).map((s) => s.trim());
  const links = async (page: Page) =>
    (await page.getByRole('region', { name: 'Summary' }).getByRole('link').allTextContents()).map((s) => s.trim());

  t.test('a customer opens a bill, downloads it, pays in cash, and the page follows its state', async (tt) => {
    const bill = ledger.add('March');
    const page = await signedIn(tt, 'alice');
    await page.goto(`${host.url}/p/ledger/bills`);
    await page.getByRole('link', { name: 'March' }).click();
    await page.getByRole('heading', { name: 'March' }).waitFor();
    tt.equal(new URL(page.url()).pathname, `/p/ledger/bill/${bill.id}`, 'the row links to the path of its detail page');
    const summary = page.getByRole('region', { name: 'Summary' });
    tt.match(await summary.textContent(), /€12\.50/, 'money in the bill’s currency');
    tt.match(await summary.textContent(), /Dec 24, 2026|24 Dec 2026|12\/24\/2026|2026-12-24/, 'the due date');
    tt.same(
      await page.getByRole('table', { name: 'Lines' }).locator('tbody tr').allTextContents(),
      ['Hosting€10.00', 'Domain€2.50'],
      'the lines, from an array field of the same answer, in the bill’s currency',
    );
    await page.getByLabel('Label').fill('Support');
    await page.getByRole('button', { name: 'Add line' }).click();
    await page.getByRole('cell', { name: 'Support' }).waitFor();
    tt.equal(ledger.bills.get(bill.id)?.lines.length, 3, 'the form shown while open posts');
    tt.same(await buttons(page), ['Pay by card', 'Pay in cash'], 'no Cancel: alice lacks its permission');
    tt.same(await links(page), ['Download PDF'], 'no receipt before payment');

    const href = await summary.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
    const file = await page.request.get(`${host.url}${href}`);
    tt.equal(file.status(), 200);
    tt.equal(file.headers()['content-type'], 'application/pdf');
    tt.equal(file.headers()['content-disposition'], 'attachment; filename="bill-March.pdf"');
    tt.same([...(await file.body())], [...PDF_BYTES], 'the same bytes, not a UTF-8 reading of them');
    const forged = await page.request.get(`${host.url}${href!.replace('_d=0', '_d=1')}`);
    tt.equal(forged.status(), 404, 'the receipt the page does not offer yet is refused');

    await summary.getByRole('button', { name: 'Pay in cash' }).click();
    const ask = page.getByRole('region', { name: 'Please confirm' });
    await ask.waitFor();
    tt.match(await ask.textContent(), /Pay March in cash\?/);
    await ask.getByRole('button', { name: 'Pay in cash' }).click();
    const shown = page.getByRole('region', { name: 'Payment' });
    await shown.waitFor();
    tt.match(await shown.textContent(), /Paid in cash: March/, 'the answer’s instructions');
    tt.equal(ledger.bills.get(bill.id)?.status, 'paid', 'the body chose cash');
    tt.same(await buttons(page), [], 'paid: nothing left to pay');
    tt.same(await links(page), ['Download PDF', 'Receipt'], 'and the receipt is there');
    tt.equal(await page.getByRole('button', { name: 'Add line' }).count(), 0, 'no form to add lines to a paid bill');
  });

  t.test('a button follows the checkout URL its answer names', async (tt) => {
    const bill = ledger.add('April');
    const page = await signedIn(tt, 'alice');
    await page.goto(`${host.url}/p/ledger/bill/${bill.id}`);
    await page.getByRole('button', { name: 'Pay by card' }).click();
    await page.getByRole('heading', { name: `Checkout /checkout/${bill.id}` }).waitFor();
    tt.equal(new URL(page.url()).origin, checkoutUrl, 'on the provider’s page');
    tt.equal(ledger.bills.get(bill.id)?.status, 'open', 'nothing paid by the redirect itself');
  });

  t.test('what the page does not offer is not there', async (tt) => {
    const bill = ledger.add('May');
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/ledger/bill/${bill.id}`);
    tt.same(await buttons(page), ['Cancel bill'], 'the reseller may cancel but not pay');
    tt.equal(await page.getByRole('button', { name: 'Add line' }).count(), 0, 'nor add lines: the form’s permission');
    for (const path of [`/p/ledger/bill/${bill.id}x`, '/p/ledger/bill', `/p/ledger/bills/${bill.id}`, '/p/ledger/bill/..']) {
      await page.goto(`${host.url}${path}`);
      tt.ok(await page.getByRole('heading', { name: 'Page not found' }).isVisible(), `${path}: not found`);
    }
    const none = await page.request.get(`${host.url}/download/ledger/bill?_s=0&_d=7&_key=${bill.id}`);
    tt.equal(none.status(), 404, 'a download that is not declared');
    const foreign = await page.request.get(`${host.url}/download/ledger/bill?_s=0&_d=0&_key=nope`);
    tt.equal(foreign.status(), 404, 'a bill the API does not know');
  });
}
