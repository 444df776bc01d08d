/**
 * A customer pays in a real browser (Debian's Chromium through playwright-core): the invoice's
 * pay call gives a Checkout link on the Stripe stand-in, the customer types a card there and is
 * sent back; Stripe's signed webhook reaches the host and the invoice reads paid. Then a saved
 * card that needs 3-D Secure: the automatic charge gives a link, the customer completes the
 * authentication, and that payment pays the next invoice. (The panel has no invoice pages yet:
 * "sees it paid" is the customer's own `GET /v1/invoices/:id`.)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import Stripe from 'stripe';
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import { startStripeStandIn } from '@hostplane/testing/stripe-stand-in';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import stripe from '@hostplane/plugin-payment-stripe';
import { caller, makeUser, sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const reason = existsSync(CHROMIUM) ? null : `needs ${CHROMIUM} (apt-get install chromium)`;
if (reason && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
if (reason) t.plan(0, `skipped: ${reason}`);
else await run();

async function run(): Promise<void> {
  const SECRET = 'whsec_browser_test';
  const standIn = await startStripeStandIn();
  // The bridge: Stripe's way into the host (the test host has no socket), and the page customers
  // come back to.
  const late: { host?: Awaited<ReturnType<typeof startTestHost>> } = {};
  const bridge = createServer((req, res) => {
    if (req.method === 'GET') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>Back</title><h1>Thank you</h1>');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      late
        .host!.inject({ method: 'POST', url: req.url!, headers, payload: Buffer.concat(chunks).toString('utf8') })
        .then((answer) => res.writeHead(answer.statusCode).end(answer.body))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => bridge.listen(0, '127.0.0.1', r));
  const bridgeUrl = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
  standIn.setWebhook({ url: `${bridgeUrl}/v1/billing/webhooks/stripe`, secret: SECRET });

  const host = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: manual, version: '0.1.0' },
      { definition: stripe, version: '0.1.0' },
      billing,
    ],
    config: {
      'payment-stripe': {
        secretKey: 'sk_test_browser',
        webhookSecret: SECRET,
        apiBase: standIn.url,
        returnUrl: `${bridgeUrl}/invoices`,
      },
    },
  });
  late.host = host;
  const sql = sqlOf(host);
  const profile = await mkdtemp(path.join(tmpdir(), 'hostplane-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    headless: true,
  });
  t.teardown(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await sql.destroy();
    await host.close();
    await standIn.close();
    await new Promise((r) => bridge.close(r));
  });

  const admin = await makeUser(sql, 'super_admin');
  const customer = await makeUser(sql, 'customer', admin, { name: 'Zoë Kunde' });
  const asCustomer = caller(host, customer);

  async function invoice(amount: number): Promise<string> {
    const res = await caller(host, admin).post('/v1/invoices', {
      customerId: customer.id,
      currency: 'EUR',
      lines: [{ description: 'Web hosting', quantity: 1, unitAmount: amount }],
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  }

  /** The customer's own view of the invoice, until it reads `paid` (the webhook's job runs on the host's workers). */
  async function seesPaid(id: string): Promise<{ status: string; amountDue: number; payments: unknown[] }> {
    for (let i = 0; i < 200; i++) {
      const res = await asCustomer.get(`/v1/invoices/${id}`);
      if (res.body.status === 'paid') return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    return (await asCustomer.get(`/v1/invoices/${id}`)).body;
  }

  t.test('the customer pays an invoice on the Checkout page and sees it paid', async (t) => {
    const id = await invoice(2500);
    const pay = await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'stripe' });
    t.equal(pay.body.payment.status, 'requires_action');
    const page = await context.newPage();
    t.teardown(() => page.close());
    await page.goto(pay.body.payment.actionUrl);
    await page.getByRole('heading', { name: 'Pay €25.00' }).waitFor();
    await page.getByLabel('Card number').fill('4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Pay' }).click();
    t.match(await page.getByRole('alert').textContent(), /declined/, 'a declined card is said on the page');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(`${bridgeUrl}/invoices`);
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    const seen = await seesPaid(id);
    t.match(seen, { status: 'paid', amountDue: 0 });
    t.equal(seen.payments.length, 1);
  });

  t.test('a saved card that needs 3-D Secure: the customer authenticates and the invoice is paid', async (t) => {
    const ref = (await sql('plugin_billing.gateway_customers').where({ user_id: customer.id }).first()).customer_ref as string;
    const pm = await new Stripe('sk_test_browser', standIn.clientOptions()).paymentMethods.attach(
      'pm_card_authenticationRequired',
      {
        customer: ref,
      },
    );
    const id = await invoice(1800);
    const pay = await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'stripe', paymentMethodId: pm.id });
    t.equal(pay.body.payment.status, 'requires_action');
    t.match(pay.body.payment.actionUrl, /\/3ds\/pi_/);
    const page = await context.newPage();
    t.teardown(() => page.close());
    await page.goto(pay.body.payment.actionUrl);
    await page.getByRole('heading', { name: 'Authenticate your payment' }).waitFor();
    t.equal((await asCustomer.get(`/v1/invoices/${id}`)).body.status, 'unpaid', 'not paid before the authentication');
    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.waitForURL(/\/invoices\?payment_intent=pi_.*redirect_status=succeeded/);
    t.match(await seesPaid(id), { status: 'paid', amountDue: 0 });
  });
}
