/**
 * Issue 10, item 14: the demo reseller onboards a customer end to end in the browser — builds a
 * package within its allowance, creates a customer, subscribes it — and the customer creates a
 * website that is served. Each page offers only what its user may do, or says why not and whom
 * to ask.
 */
import t from 'tap';
import { browserSuite } from './support/suite.js';
import { screenshot } from './support/browser.js';

const PASSWORD = 'onboarding-password-1';

await browserSuite(({ host, freshPage, signIn }) => {
  t.test('a reseller without an allowance is told why it cannot build packages', async (tt) => {
    const kernel = host().kernel;
    const admin = await kernel.users.getByEmail(host().logins.admin.email);
    const bare = await kernel.users.create({
      email: `bare-${Date.now()}@example.test`,
      name: 'Bare Reseller',
      role: 'reseller',
      parentId: admin?.id ?? null,
      password: PASSWORD,
    });
    await kernel.knex('hostplane.users').where({ id: bare.id }).update({ email_verified_at: kernel.knex.fn.now() });
    const page = await freshPage(tt);
    await signIn(page, { email: bare.email, password: PASSWORD });
    await page.goto(`${host().url}/packages`);
    const notice = page.getByTestId('no-allowance');
    tt.match(await notice.textContent(), /reseller package of your own/, 'says why');
    tt.match(await notice.textContent(), host().logins.admin.email, 'and whom to ask');
    tt.equal(await page.getByRole('link', { name: 'New package' }).count(), 0, 'no button that can only fail');
    await page.goto(`${host().url}/packages/new`);
    tt.equal(await page.getByRole('button', { name: 'Create package' }).count(), 0, 'nor a form');
  });

  t.test('reseller: package, customer, subscription; the customer’s website is served', async (tt) => {
    const page = await freshPage(tt);
    const reseller = host().logins.reseller;
    const email = `dora-${Date.now()}@example.test`;

    await signIn(page, reseller);
    await page.goto(`${host().url}/packages`);
    await page.getByRole('link', { name: 'New package' }).click();
    await page.locator('#f-name').fill('Rita Basic');
    await page.getByLabel('Monthly').fill('3.00');
    await page.getByLabel('Websites').fill('2');
    await page.getByRole('button', { name: 'Create package' }).click();
    await page.waitForURL(/\/packages$/);
    await page.getByRole('link', { name: 'Rita Basic' }).waitFor();
    tt.pass('the package is listed as the reseller’s, to edit');

    await page.goto(`${host().url}/users`);
    await page.getByLabel('Email').last().fill(email);
    await page.locator('#new-name').fill('Dora Customer');
    await page.getByLabel('Password (optional)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('td', { hasText: email }).first().waitFor();
    // Accounts an admin or reseller creates still need a confirmed address (issue 10, item 24,
    // done on another branch): confirm it here so this test is about onboarding alone.
    const kernel = host().kernel;
    await kernel.knex('hostplane.users').where({ email }).update({ email_verified_at: kernel.knex.fn.now() });

    // Before any package: the customer is told why there is no "New website", and whom to ask.
    await signIn(page, { email, password: PASSWORD });
    const notice = page.getByTestId('no-package');
    tt.match(await notice.textContent(), /no active hosting package/, 'the dashboard says why');
    tt.match(await notice.textContent(), reseller.email, 'and names the reseller to ask');
    tt.equal(await page.getByRole('link', { name: 'New website' }).count(), 0, 'no "New website" that can only fail');
    await screenshot(page, 'customer-without-package');

    await signIn(page, reseller);
    await page.goto(`${host().url}/subscriptions`);
    const offered = await page.locator('#new-package option').allTextContents();
    tt.same(offered, ['Choose…', 'Rita Basic'], 'only the reseller’s own packages are offered');
    await page.locator('#new-customer').selectOption({ label: email });
    await page.locator('#new-package').selectOption({ label: 'Rita Basic' });
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.locator('[data-toast="success"]').waitFor();
    tt.match(await page.locator('[data-toast="success"]').textContent(), /Rita Basic assigned/, 'the subscription is made');

    await signIn(page, { email, password: PASSWORD });
    tt.ok(await page.getByRole('heading', { name: 'Rita Basic' }).isVisible(), 'the customer sees the subscription');
    await page.getByRole('link', { name: 'New website' }).first().click();
    const domain = `dora-${Date.now()}.example.test`;
    await page.locator('#f-domain').fill(domain);
    await page.getByLabel('Type').selectOption('static');
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('heading', { name: domain }).waitFor();
    if (host().webServerMissing) {
      tt.pass(`created; it waits for a web server (${host().webServerMissing})`);
      return;
    }
    const visit = page.getByRole('link', { name: 'Visit website' });
    await visit.waitFor({ timeout: 30_000 });
    const preview = (await visit.getAttribute('href')) ?? '';
    tt.match(preview, /^http:\/\/[a-z0-9-]+\.localhost:\d+\/?$/, 'a preview address on the managed nginx');
    const served = await page.goto(preview);
    tt.equal(served?.status(), 200, 'nginx serves the new website');
    tt.match(await page.textContent('body'), /This website is ready/, 'its placeholder page');
  });
});
