/** Suspending a user from the list asks for the reason the API requires, and says what is wrong. */
import t from 'tap';
import { launchBrowser } from './support/browser.js';
import { browserSuite } from './support/suite.js';

await browserSuite((suite) => {
  t.test('an admin suspends a customer with a reason; a blank reason is refused beside its field', async (tt) => {
    const page = await suite.freshPage(tt);
    const host = suite.host();
    await suite.signIn(page, host.logins.admin);
    await page.goto(`${host.url}/users?search=${encodeURIComponent(host.logins.bob.email)}`);
    const bob = host.logins.bob.email;
    await page.getByLabel(`Suspend ${bob}…`).click();
    const reason = page.getByLabel(`Reason for suspending ${bob}`);
    // Blanks pass the browser's `required` check; only the API can say the reason is empty.
    await reason.fill('   ');
    await page.getByRole('button', { name: `Suspend ${bob}`, exact: true }).click();
    await page.locator('input[name="reason"][aria-invalid="true"]').waitFor();
    const errorId = ((await reason.getAttribute('aria-describedby')) ?? '').split(' ')[0];
    const message = (await page.locator(`#${errorId}`).textContent()) ?? '';
    tt.match(message, /reason/i, `the error names the field in words: “${message}”`);
    tt.notMatch(message, /\/body\//, 'no JSON pointer');
    tt.ok(await reason.isVisible(), 'the form stays open for the fix');

    await reason.fill('Unpaid invoices');
    await page.getByRole('button', { name: `Suspend ${bob}`, exact: true }).click();
    await page.getByRole('button', { name: `Unsuspend ${bob}` }).waitFor();
    tt.match(await page.locator('[data-toast="success"]').textContent(), /suspended/, 'a toast confirms');
    const [row] = await host.kernel
      .knex('plugin_accounts.subscriptions as s')
      .join('hostplane.users as u', 'u.id', 's.customer_id')
      .where('u.email', bob)
      .select<Array<{ suspend_reason: string | null }>>('s.suspend_reason');
    tt.equal(row?.suspend_reason, 'Unpaid invoices', 'the reason is kept');
    tt.same(suite.consoleErrors(page), []);
  });

  t.test('without JavaScript the same form works: the refusal reopens it, the reason suspends', async (tt) => {
    const host = suite.host();
    const browser = await launchBrowser({ javaScriptEnabled: false });
    tt.teardown(() => browser.close());
    const page = await browser.context.newPage();
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.admin.email);
    await page.getByLabel('Password').fill(host.logins.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const alice = host.logins.alice.email;
    await page.goto(`${host.url}/users?search=${encodeURIComponent(alice)}`);
    await page.getByLabel(`Suspend ${alice}…`).click();
    const reason = page.getByLabel(`Reason for suspending ${alice}`);
    await reason.fill('   ');
    await page.getByRole('button', { name: `Suspend ${alice}`, exact: true }).click();
    await page.locator('input[name="reason"][aria-invalid="true"]').waitFor();
    tt.ok(await reason.isVisible(), 'the page the post answered has the form open, with the error');
    await reason.fill('Chargeback');
    await page.getByRole('button', { name: `Suspend ${alice}`, exact: true }).click();
    await page.getByRole('button', { name: `Unsuspend ${alice}` }).waitFor();
    tt.pass('suspended without JavaScript');
  });
});
