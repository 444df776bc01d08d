/**
 * The panel in a real browser against a real host (kernel + auth, accounts and hello plugins on
 * a fresh database). Screenshots of each main page land in panel/test-output/screenshots.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, browserTestsCanRun, screenshot, seriousViolations, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';
import { totp } from './support/totp.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  t.before(async () => {
    [host, browser] = await Promise.all([startPanelHost(), launchBrowser()]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });

  const consoleErrors = new WeakMap<Page, string[]>();

  /** A page in a signed-out browser that records console errors (a CSP refusal, say). */
  async function freshPage(tt: Test): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const errors: string[] = [];
    consoleErrors.set(page, errors);
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    tt.teardown(() => page.close());
    return page;
  }

  function noConsoleErrors(tt: Test, page: Page): void {
    tt.same(consoleErrors.get(page), [], 'no console errors (CSP refusals, hydration mismatches …)');
  }

  async function signIn(page: Page, who: { email: string; password: string }, next = '/'): Promise<void> {
    await page.goto(`${host.url}/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function navLabels(page: Page): Promise<string[]> {
    return page.locator('nav[aria-label="Main"]').last().getByRole('link').allTextContents();
  }

  async function checkPage(tt: Test, page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    const violations = await seriousViolations(page);
    tt.same(
      violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`),
      [],
      `${name}: no serious or critical accessibility violation`,
    );
  }

  t.test('a protected page sends a visitor to sign in and back; the customer sees the dashboard', async (tt) => {
    const page = await freshPage(tt);
    await page.goto(`${host.url}/account`);
    tt.match(page.url(), /\/login\?next=%2Faccount$/, 'redirected to the login page with next');
    await checkPage(tt, page, 'login');
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${host.url}/account`);
    tt.pass('back on the page asked for');
    await page.getByRole('link', { name: 'Dashboard' }).first().click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    tt.ok(await page.getByRole('heading', { name: 'Starter' }).isVisible(), 'the subscription is listed');
    tt.ok(await page.getByRole('meter', { name: 'Websites' }).first().isVisible(), 'with usage against its limits');
    await checkPage(tt, page, 'customer-dashboard');
    for (const [path, name] of [
      ['/account', 'account-profile'],
      ['/account/security', 'account-two-factor'],
      ['/account/sessions', 'account-sessions'],
      ['/account/tokens', 'account-tokens'],
      ['/account/history', 'account-history'],
      ['/subscriptions', 'customer-subscriptions'],
    ] as const) {
      await page.goto(`${host.url}${path}`);
      await checkPage(tt, page, name);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${host.url}/`);
    tt.match(page.url(), /\/login$/, 'signed out: the dashboard asks for a login again');
    noConsoleErrors(tt, page);
  });

  t.test('a customer creates a website and watches it go live', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host.logins.alice);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Websites' }).first().click();
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    await checkPage(tt, page, 'websites-empty');
    await page.getByRole('link', { name: 'New website' }).first().click();
    await page.locator('#f-domain').fill('bad;name');
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.locator('#f-domain[aria-invalid="true"]').waitFor();
    tt.match(
      await page.locator('#f-domain-error').textContent(),
      /characters a domain cannot have/,
      'the domain error sits by its field',
    );
    await checkPage(tt, page, 'website-new-errors');

    const domain = `shop-${Date.now()}.example.test`;
    await page.locator('#f-domain').fill(domain);
    await page.getByLabel('Type').selectOption('php');
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('heading', { name: domain }).waitFor();
    if (host.webServerMissing) {
      tt.ok(await page.getByText('provisioning').first().isVisible(), `waits for a web server (${host.webServerMissing})`);
    } else {
      // The page polls while provisioning: no reload by the test.
      await page.getByRole('link', { name: 'Visit website' }).waitFor({ timeout: 30_000 });
      tt.ok(await page.locator('main').getByText('active', { exact: true }).first().isVisible(), 'active on real nginx');
    }
    await checkPage(tt, page, 'website-detail');
    await page.getByRole('link', { name: 'Delete website…' }).click();
    await page.locator('#f-confirm').fill('not-the-domain.example.test');
    await page.getByRole('button', { name: 'Delete website' }).click();
    await page.locator('#f-confirm[aria-invalid="true"]').waitFor();
    tt.pass('deleting asks to type the domain');
    await page.getByLabel(`Type ${domain} to confirm`).fill(domain);
    await page.getByRole('button', { name: 'Delete website' }).click();
    await page.waitForURL(/\/websites$/);
    tt.pass('deleted after confirmation');
    noConsoleErrors(tt, page);
  });

  t.test('two-factor: set up with the QR page, then sign in with a code', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host.logins.bob);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${host.url}/account/security`);
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    tt.ok(await page.getByRole('img', { name: /QR code/ }).isVisible(), 'the QR code is shown');
    await checkPage(tt, page, 'two-factor-setup');
    await page.getByLabel('6-digit code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    tt.equal(await page.getByTestId('recovery-codes').getByRole('listitem').count(), 10, 'ten recovery codes shown once');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signIn(page, host.logins.bob);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    // The code of the enabling step is spent; the next step's code is within the allowed drift.
    await page.getByLabel('Code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    tt.pass('signed in with the second factor');
    noConsoleErrors(tt, page);
  });

  t.test('forms show the API’s errors next to their fields', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host.logins.reseller);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${host.url}/packages/new`);
    await page.locator('#f-name').fill('Broken');
    await page.getByLabel('Currency (ISO code)').fill('eu');
    await page.getByRole('button', { name: 'Create package' }).click();
    const currency = page.getByLabel('Currency (ISO code)');
    await page.locator('#f-currency[aria-invalid="true"]').waitFor();
    const describedBy = (await currency.getAttribute('aria-describedby')) ?? '';
    tt.match(
      await page.locator(`#${describedBy.split(' ')[0]}`).textContent(),
      /expected format/,
      'the message sits by the field',
    );
    await checkPage(tt, page, 'package-form-errors');

    await page.goto(`${host.url}/login`);
    tt.match(page.url(), /\/$/, 'a signed-in user skips the login page');
    noConsoleErrors(tt, page);
  });

  t.test('a reseller creates a customer and acts as them, with a banner and a way back', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host.logins.reseller);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await checkPage(tt, page, 'reseller-dashboard');
    await page.getByRole('link', { name: 'Customers' }).first().click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    const email = `carol-${Date.now()}@example.test`;
    await page.getByLabel('Email').last().fill(email);
    await page.locator('#new-name').fill('Carol Customer');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('td', { hasText: email }).first().waitFor();
    tt.match(await page.locator('[data-toast="success"]').textContent(), /created/, 'a toast confirms');
    await checkPage(tt, page, 'reseller-customers');

    await page.getByLabel('Search by email or name').fill('carol');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/search=carol/);
    await page
      .waitForFunction(() => document.querySelectorAll('tbody tr').length === 1, undefined, { timeout: 5000 })
      .catch(() => undefined);
    tt.same(
      await page.locator('tbody tr td:first-child').allTextContents(),
      [`${email}Carol Customer`],
      'the search finds her alone',
    );

    await page.getByRole('button', { name: `Act as ${email}` }).click();
    const banner = page.getByRole('region', { name: 'Impersonation' });
    await banner.waitFor();
    tt.match(await banner.textContent(), email, 'the banner names who I act as');
    tt.equal(await page.getByTestId('whoami').textContent(), email, 'the panel shows her account');
    await checkPage(tt, page, 'impersonation');
    await page.getByRole('button', { name: 'Return to my account' }).click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    tt.equal(await banner.count(), 0, 'the banner is gone');
    tt.equal(await page.getByTestId('whoami').textContent(), host.logins.reseller.email, 'back as the reseller');

    for (const [path, name] of [
      ['/packages', 'reseller-packages'],
      ['/subscriptions', 'reseller-subscriptions'],
      ['/admin/audit', 'reseller-audit'],
    ] as const) {
      await page.goto(`${host.url}${path}`);
      await checkPage(tt, page, name);
    }
    noConsoleErrors(tt, page);
  });

  t.test('an admin disables a plugin and its page leaves the navigation', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host.logins.admin);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    tt.ok((await navLabels(page)).includes('Greetings'), 'the hello plugin’s page is in the navigation');
    await page.getByRole('link', { name: 'Greetings' }).first().click();
    await page.getByRole('heading', { name: 'Greetings' }).waitFor();
    await checkPage(tt, page, 'plugin-page-greetings');

    await page.goto(`${host.url}/admin/plugins`);
    await checkPage(tt, page, 'admin-plugins');
    await page.getByRole('button', { name: 'Disable Hello' }).click();
    await page.getByRole('button', { name: 'Enable Hello' }).waitFor();
    tt.notOk((await navLabels(page)).includes('Greetings'), 'gone from the navigation, no rebuild');
    await page.goto(`${host.url}/p/hello/greetings`);
    tt.ok(await page.getByRole('heading', { name: 'Page not found' }).isVisible(), 'and its page is gone');
    consoleErrors.get(page)?.splice(0); // that 404 was the point

    await page.goto(`${host.url}/admin/plugins`);
    await page.getByRole('button', { name: 'Enable Hello' }).click();
    await page.getByRole('button', { name: 'Disable Hello' }).waitFor();
    tt.ok((await navLabels(page)).includes('Greetings'), 'back when enabled again');

    for (const [path, name] of [
      ['/admin/plugins/hello', 'admin-plugin-config'],
      ['/admin/jobs', 'admin-jobs'],
      ['/admin/audit', 'admin-audit'],
      ['/admin/health', 'admin-health'],
      ['/users', 'admin-users'],
      ['/packages', 'admin-packages'],
    ] as const) {
      await page.goto(`${host.url}${path}`);
      await checkPage(tt, page, name);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${host.url}/`);
    await checkPage(tt, page, 'admin-dashboard-dark');
    await page.setViewportSize({ width: 390, height: 800 });
    await screenshot(page, 'admin-dashboard-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
    noConsoleErrors(tt, page);
  });
}
