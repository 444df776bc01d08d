/**
 * Administration → Mail templates: every started plugin's templates, one previewed with its
 * sample for the platform or a reseller, the HTML in a sandboxed frame that runs nothing.
 * Only admins get there.
 */
import t from 'tap';
import { seriousViolations } from './support/browser.js';
import { browserSuite } from './support/suite.js';

await browserSuite(({ host, freshPage, signIn, consoleErrors }) => {
  t.test('an admin previews a template for the platform and for a reseller', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host().logins.admin);
    await page.getByRole('link', { name: 'Mail templates' }).click();
    await page.getByRole('heading', { name: 'Mail templates' }).waitFor();
    const ids = await page.getByRole('table', { name: 'Mail templates' }).locator('code').allTextContents();
    for (const id of ['auth.verify-email', 'auth.reset-password', 'auth.welcome']) tt.ok(ids.includes(id), `lists ${id}`);

    await page.getByRole('link', { name: 'auth.welcome' }).click();
    await page.waitForURL(/id=auth\.welcome/);
    // The preview follows the URL once the loader answered.
    await page.getByTestId('mail-subject').filter({ hasText: 'Your Hostplane account is ready: choose a password' }).waitFor();
    const frame = page.locator('iframe[title="HTML of auth.welcome"]');
    tt.equal(await frame.getAttribute('sandbox'), '', 'sandboxed: no scripts, no same origin');
    const body = page.frameLocator('iframe[title="HTML of auth.welcome"]').locator('body');
    await body.getByText('Choose my password').waitFor();
    tt.match(await body.textContent(), /an account at Hostplane was created for ada@example\.com/);
    const button = page.frameLocator('iframe[title="HTML of auth.welcome"]').getByRole('link', { name: 'Choose my password' });
    tt.equal(
      await button.evaluate((el) => getComputedStyle(el).backgroundColor),
      'rgb(29, 78, 216)',
      'the mail’s inline styles apply: the frame has its own CSP, not the panel’s',
    );
    const frameResponse = await page.request.get(`${host().url}/admin/mail-templates/frame?id=auth.welcome&issuer=platform`);
    tt.match(frameResponse.headers()['content-security-policy'], /default-src 'none'.*sandbox/);
    tt.equal(frameResponse.headers()['x-frame-options'], 'SAMEORIGIN');

    await page.getByLabel('Sent by').selectOption({ label: 'Rita Reseller' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/issuer=[0-9a-f-]{36}/);
    await page.getByTestId('mail-from').filter({ hasText: 'Rita Reseller' }).waitFor();
    tt.match(await page.getByTestId('mail-subject').textContent(), /^Your Rita Reseller account is ready/);
    tt.same(await seriousViolations(page), [], 'no serious accessibility violation');
    tt.same(consoleErrors(page), []);
  });

  t.test('a reseller has no such page', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, host().logins.reseller);
    tt.equal(await page.getByRole('link', { name: 'Mail templates' }).count(), 0, 'not in the navigation');
    const res = await page.goto(`${host().url}/admin/mail-templates`);
    tt.equal(res?.status(), 403);
    const frame = await page.request.get(`${host().url}/admin/mail-templates/frame?id=auth.welcome`);
    tt.equal(frame.status(), 403, 'nor its frame');
  });
});
