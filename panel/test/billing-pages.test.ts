/**
 * Issue 12's panel, end to end in Chromium: a customer opens an invoice from the list, sees its
 * lines and tax, downloads its PDF, pays by card on the Stripe stand-in's Checkout page, comes
 * back to the invoice and sees it paid (the stand-in's signed webhook reached the host, and its
 * durable job recorded the payment). Her reseller sees the same invoice with Void but no Pay;
 * she keeps her billing details in a form that shows what is saved. The reseller's revenue page
 * counts the payment it records.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import accounts from '@hostplane/plugin-accounts';
import billing from '@hostplane/plugin-billing';
import manual from '@hostplane/plugin-payment-manual';
import stripe from '@hostplane/plugin-payment-stripe';
import { freePort } from '@hostplane/testing/free-port';
import { startStripeStandIn } from '@hostplane/testing/stripe-stand-in';
import { launchBrowser, browserTestsCanRun, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

void accounts; // loaded by the panel host already; billing requires it.

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  const SECRET = 'whsec_panel_test';
  const standIn = await startStripeStandIn();
  const port = await freePort();
  const panelUrl = `http://127.0.0.1:${port}`;
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([
      startPanelHost({
        webServer: false,
        port,
        plugins: [billing, manual, stripe],
        config: {
          'payment-stripe': {
            secretKey: 'sk_test_panel',
            webhookSecret: SECRET,
            apiBase: standIn.url,
            returnUrl: `${panelUrl}/p/billing/invoice/{invoiceId}`,
          },
          billing: { paymentMethodsReturnUrl: `${panelUrl}/p/billing/payment-methods` },
        },
      }),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
    await standIn.close();
  });

  async function signedIn(tt: Test, who: 'alice' | 'reseller' | 'admin'): Promise<Page> {
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

  /** An invoice to alice, issued by an admin through the API (as a billing run would). */
  async function invoiceForAlice(page: Page, amount: number): Promise<{ id: string; number: string }> {
    const users = await page.request.get(`${host.url}/v1/users?search=alice`);
    const alice = ((await users.json()) as { items: Array<{ id: string; email: string }> }).items.find(
      (u) => u.email === host.logins.alice.email,
    );
    const csrf = ((await (await page.request.get(`${host.url}/v1/auth/me`)).json()) as { csrfToken: string }).csrfToken;
    const res = await page.request.post(`${host.url}/v1/invoices`, {
      headers: { 'x-csrf-token': csrf, origin: host.url },
      data: { customerId: alice!.id, currency: 'EUR', lines: [{ description: 'Web hosting, December', unitAmount: amount }] },
    });
    if (res.status() !== 201) throw new Error(`issue: ${res.status()} ${await res.text()}`);
    return (await res.json()) as { id: string; number: string };
  }

  const summaryButtons = async (page: Page) =>
    (await page.getByRole('region', { name: 'Invoice' }).getByRole('button').allTextContents()).map((s) => s.trim());

  /** The reseller's user id (alice's seller: her invoices are paid into its account). */
  async function resellerId(page: Page): Promise<string> {
    const users = await page.request.get(`${host.url}/v1/users?search=reseller`);
    const found = ((await users.json()) as { items: Array<{ id: string; email: string }> }).items.find(
      (u) => u.email === host.logins.reseller.email,
    );
    return found!.id;
  }

  t.test('no card payment is offered while her seller has no Stripe keys', async (tt) => {
    const adminPage = await signedIn(tt, 'admin');
    const invoice = await invoiceForAlice(adminPage, 700);
    const page = await signedIn(tt, 'alice');
    await page.goto(`${host.url}/p/billing/invoice/${invoice.id}`);
    tt.same(await summaryButtons(page), ['Pay by bank transfer'], 'the API would refuse a card payment, so no button');
    await page.getByRole('button', { name: 'Pay by bank transfer' }).click();
    const shown = page.getByRole('region', { name: 'Bank transfer' });
    await shown.waitFor();
    tt.match(await shown.textContent(), new RegExp(invoice.number), 'the transfer instructions name the invoice');
  });

  t.test('alice pays an invoice on the Checkout page and sees it paid', async (tt) => {
    const adminPage = await signedIn(tt, 'admin');
    // Her seller sets up its own Stripe account (keys sealed by billing), and Stripe sends its
    // events to the seller's webhook address.
    const seller = await resellerId(adminPage);
    const quiet = { out: () => undefined, err: (m: string) => tt.comment(m) };
    const set = [
      'set',
      seller,
      '--gateway',
      'stripe',
      '--secret',
      'secretKey=sk_test_seller',
      '--secret',
      `webhookSecret=${SECRET}`,
    ];
    tt.equal(await host.kernel.runCommand('billing', 'payment-account', set, quiet), 0);
    standIn.setWebhook({ url: `${panelUrl}/v1/billing/webhooks/stripe/${seller}`, secret: SECRET });
    const invoice = await invoiceForAlice(adminPage, 2500);
    const page = await signedIn(tt, 'alice');

    await page.goto(`${host.url}/p/billing/invoices`);
    await page.getByRole('link', { name: invoice.number }).click();
    await page.getByRole('heading', { name: invoice.number }).waitFor();
    tt.equal(new URL(page.url()).pathname, `/p/billing/invoice/${invoice.id}`);
    const lines = page.getByRole('table', { name: 'Lines' });
    tt.match(await lines.textContent(), /Web hosting, December.*€25\.00/, 'the line, in euros');
    tt.same(await summaryButtons(page), ['Pay by card', 'Pay by bank transfer'], 'hers to pay; no Void');

    const href = await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
    const pdf = await page.request.get(`${host.url}${href}`);
    tt.equal(pdf.status(), 200);
    tt.equal(pdf.headers()['content-type'], 'application/pdf');
    tt.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF, through the panel with her session');

    await page.getByRole('button', { name: 'Pay by card' }).click();
    await page.getByRole('heading', { name: 'Pay €25.00' }).waitFor();
    tt.equal(new URL(page.url()).origin, standIn.url, 'on the Checkout page');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(`${panelUrl}/p/billing/invoice/${invoice.id}`);
    // The webhook's job may finish a moment after she is back: the page shows what is true now.
    let status = '';
    for (let i = 0; i < 100 && status !== 'paid'; i++) {
      await page.reload();
      status = ((await page.getByRole('region', { name: 'Invoice' }).locator('dd').first().textContent()) ?? '').trim();
      if (status !== 'paid') await new Promise((r) => setTimeout(r, 100));
    }
    tt.equal(status, 'paid', 'she sees it paid');
    tt.same(await summaryButtons(page), [], 'nothing left to pay');
    tt.match(await page.getByRole('table', { name: 'Payments' }).textContent(), /stripe.*€25\.00/, 'the payment is listed');
  });

  t.test('alice sees the card she paid with, adds another on Checkout and makes it the default', async (tt) => {
    const page = await signedIn(tt, 'alice');
    await page.goto(`${host.url}/p/billing/payment-methods`);
    const saved = page.getByRole('table', { name: 'Saved' });
    tt.match(await saved.textContent(), /Visa •••• 4242/, 'the card of her card payment is kept');
    await page.getByRole('button', { name: 'Add a card' }).click();
    await page.getByRole('heading', { name: 'Save a card' }).waitFor();
    tt.equal(new URL(page.url()).origin, standIn.url, 'on the Checkout page (setup mode)');
    await page.getByLabel('Card number').fill('5555 5555 5555 4444');
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.waitForURL(`${panelUrl}/p/billing/payment-methods`);
    tt.match(await saved.textContent(), /Mastercard •••• 4444/, 'back on the page, the new card listed');
    const visaDefault = page.getByRole('button', { name: /^Make default Visa/ });
    const mcDefault = page.getByRole('button', { name: /^Make default Mastercard/ });
    const target = (await visaDefault.count()) ? 'Visa' : 'Mastercard';
    await (target === 'Visa' ? visaDefault : mcDefault).click();
    await page.getByText('Make default: done.').waitFor();
    const charged = page.getByRole('region', { name: 'Payment methods' }).or(page.locator('dl').first());
    tt.match(await charged.first().textContent(), new RegExp(target), `${target} is now charged automatically`);
    tt.equal(await page.getByRole('button', { name: new RegExp(`^Make default ${target}`) }).count(), 0);
  });

  t.test('her reseller sees Void and the bank-transfer form, not Pay', async (tt) => {
    const adminPage = await signedIn(tt, 'admin');
    const invoice = await invoiceForAlice(adminPage, 900);
    const page = await signedIn(tt, 'reseller');
    await page.goto(`${host.url}/p/billing/invoice/${invoice.id}`);
    tt.same(await summaryButtons(page), ['Void']);
    tt.ok(
      (await page.locator('nav[aria-label="Main"]').last().getByRole('link').allTextContents()).includes('Revenue'),
      'sellers have a revenue page',
    );
    await page.getByLabel('Reference').fill('SEPA 2026-12');
    await page.getByRole('button', { name: 'Mark paid' }).click();
    await page.getByText('Saved.').waitFor();
    tt.same(await summaryButtons(page), [], 'paid: no Void, and no form to record another transfer');
    tt.equal(await page.getByRole('button', { name: 'Mark paid' }).count(), 0);
    // Paid: the refund form is offered now, and gives the money back under a credit note.
    await page.getByLabel('Reason (on the credit note)').fill('Goodwill');
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    const refunded = page.getByRole('region', { name: 'Refunded' });
    await refunded.waitFor();
    tt.match(await refunded.textContent(), /CN-\d{4}-\d{5}.*refunded/s, 'the credit note and the new status');
    await page.reload();
    tt.equal(await page.getByRole('button', { name: 'Refund', exact: true }).count(), 0, 'all given back: no refund form');
    tt.match(await page.getByRole('table', { name: 'Credit notes' }).textContent(), /Goodwill/);

    for (const path of [
      '/p/billing/invoice/%00',
      `/p/billing/invoice/${'x'.repeat(300)}`,
      '/p/billing/invoice/..%2F..%2Fusers',
      `/p/billing/invoice/${invoice.id}%0d%0aSet-Cookie:x=1`,
      '/download/billing/invoice?_s=x&_d=y&_key=z',
      `/download/billing/invoice?_s=0&_d=0&_key=${'9'.repeat(201)}`,
      '/download/billing/nope?_s=0&_d=0',
    ]) {
      const res = await page.request.get(`${host.url}${path}`);
      tt.equal(res.status(), 404, `${path.slice(0, 60)}: not found, never a 500`);
    }

    await page.goto(`${host.url}/p/billing/revenue`);
    const month = page.getByRole('region', { name: 'This month' });
    await month.waitFor();
    const paid = Number(((await month.locator('dt:text-is("Paid") + dd').textContent()) ?? '').replace(/[^0-9.]/g, ''));
    tt.ok(paid >= 9, `this month's payments include the €9.00 just recorded (${paid})`);
    tt.ok(await page.getByRole('img', { name: 'Invoiced and paid by month' }).isVisible(), 'the chart, drawn on the server');
  });

  t.test('alice keeps her billing details; a bad VAT id is refused beside its field', async (tt) => {
    const page = await signedIn(tt, 'alice');
    await page.goto(`${host.url}/p/billing/billing-profile`);
    await page.getByLabel('Address').fill('Hauptstraße 1, 10115 Berlin');
    await page.getByLabel('Country').fill('DE');
    await page.getByLabel('VAT or tax id').fill('DE12');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByText(/format of a VAT id of DE/)
      .first()
      .waitFor();
    await page.goto(`${host.url}/p/billing/billing-profile`);
    await page.getByLabel('Address').fill('Hauptstraße 1, 10115 Berlin');
    await page.getByLabel('Country').fill('DE');
    await page.getByLabel('VAT or tax id').fill('DE123456789');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.goto(`${host.url}/p/billing/billing-profile`);
    tt.equal(await page.getByLabel('Address').inputValue(), 'Hauptstraße 1, 10115 Berlin', 'the form shows what is saved');
    tt.equal(await page.getByLabel('VAT or tax id').inputValue(), 'DE123456789');
  });
}
