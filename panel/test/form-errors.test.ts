/** Refusals of the API's schema reach people as words beside the field, never as JSON pointers. */
import t from 'tap';
import type { Page } from 'playwright-core';
import { browserSuite } from './support/suite.js';

/** The error text an input points at (aria-describedby), once it is marked invalid. */
async function errorOf(page: Page, selector: string): Promise<string> {
  const field = page.locator(`${selector}[aria-invalid="true"]`);
  await field.waitFor();
  const id = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0];
  return (await page.locator(`#${id}`).textContent()) ?? '';
}

await browserSuite((suite) => {
  t.test('the package form explains a limit that is neither a number nor empty', async (tt) => {
    const page = await suite.freshPage(tt);
    const host = suite.host();
    await suite.signIn(page, host.logins.admin);
    await page.goto(`${host.url}/packages/new`);
    await page.locator('#f-name').fill('Words');
    await page.getByLabel('Currency (ISO code)').fill('EUR');
    await page.getByLabel('Websites').fill('three');
    await page.getByRole('button', { name: 'Create package' }).click();
    const websites = await errorOf(page, '#f-limits-websites');
    tt.equal(websites, 'Websites must be a whole number, or left empty for unlimited.', 'a union in words');
    const toast = (await page.locator('[data-toast="error"]').textContent()) ?? '';
    tt.notMatch(toast, /\/body\/|anyOf|must be null/, `the toast is words too: “${toast}”`);

    await page.getByLabel('Websites').fill('');
    await page.getByLabel('Domains').fill('-1');
    await page.getByRole('button', { name: 'Create package' }).click();
    tt.equal(
      await errorOf(page, '#f-limits-domains'),
      'Domains must be at least 0, or left empty for unlimited.',
      'a bound in words',
    );
  });
});
