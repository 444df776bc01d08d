/**
 * Issue 10, item 21, in the browser as a customer: a menu of what it may use, only quotas
 * something enforces, "1 website", devices in words, and a package limit explained beside the
 * form with whom to ask.
 */
import t from 'tap';
import { browserSuite } from './support/suite.js';
import { screenshot } from './support/browser.js';

await browserSuite(({ host, freshPage, signIn }) => {
  t.test('alice: her menu, her quotas, her devices, and her package’s limit', async (tt) => {
    const page = await freshPage(tt);
    const { alice, reseller } = host().logins;
    await signIn(page, alice);

    const menu = await page.locator('nav[aria-label="Main"]').last().getByRole('link').allTextContents();
    tt.notOk(menu.includes('Packages') || menu.includes('Subscriptions'), `nothing she cannot use: ${menu.join(', ')}`);
    tt.ok(menu.includes('Technical users'), 'her technical users, by that name');

    const meters = await page.getByRole('meter').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    tt.same(meters.sort(), ['Domains', 'Websites'], 'only the quotas the websites plugin enforces');

    await page.goto(`${host().url}/account/sessions`);
    tt.match(await page.locator('main').textContent(), /Headless Chrome \d+ on Linux/, 'the device in words');

    // Starter allows one website.
    for (const n of [1, 2]) {
      await page.goto(`${host().url}/websites/new`);
      await page.locator('#f-domain').fill(`alice-${n}-${Date.now()}.example.test`);
      await page.getByLabel('Type').selectOption('static');
      await page.getByRole('button', { name: 'Create website' }).click();
      if (n === 1) await page.getByRole('link', { name: 'Delete website…' }).waitFor();
    }
    const refusal = page.getByTestId('limit-refusal');
    await refusal.waitFor();
    const text = (await refusal.textContent()) ?? '';
    tt.match(text, 'Your package allows 1 website, and 1 is in use.', 'the limit, in words, beside the form');
    tt.match(text, reseller.email, 'and whom to ask for a bigger package');
    tt.equal(await page.locator('[data-toast="error"]').count(), 0, 'not a corner toast');
    await screenshot(page, 'website-limit-refusal');

    await page.goto(`${host().url}/websites`);
    tt.ok(await page.getByText('1 website.', { exact: true }).isVisible(), '"1 website", not "1 websites"');
  });
});
