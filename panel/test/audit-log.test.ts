/**
 * Issue 10, item 20: the audit log reads as sentences. A reseller acts as a customer, browses and
 * saves once; the log holds one entry for the browsing and one for the save, says "Rita Reseller
 * as Alice Customer" with links, shows details as fields, and filters by actor e-mail and target.
 */
import t from 'tap';
import { browserSuite } from './support/suite.js';
import { screenshot, seriousViolations } from './support/browser.js';

await browserSuite(({ host, freshPage, signIn }) => {
  t.test('an impersonated browse and one write, read back in the audit log with filters', async (tt) => {
    const page = await freshPage(tt);
    const { reseller, alice, admin } = host().logins;
    await signIn(page, reseller);
    await page.goto(`${host().url}/users`);
    await page.getByRole('button', { name: `Act as ${alice.email}` }).click();
    await page.getByRole('region', { name: 'Impersonation' }).waitFor();
    for (const path of ['/', '/websites', '/subscriptions', '/account', '/']) await page.goto(`${host().url}${path}`);
    await page.goto(`${host().url}/account`);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.locator('[data-toast="success"]').waitFor();
    await page.getByRole('button', { name: 'Return to my account' }).click();
    await page.getByRole('region', { name: 'Impersonation' }).waitFor({ state: 'detached' });

    await signIn(page, admin);
    await page.goto(`${host().url}/admin/audit`);
    await page.getByLabel('Actor e-mail').fill('reseller@');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/actorEmail=reseller%40/);
    const rows = page.locator('tbody tr');
    const actions = await rows.locator('td:nth-child(3)').allTextContents();
    tt.equal(actions.filter((a) => a === 'auth.impersonation.viewed').length, 1, 'the browsing is one entry');
    // The writes: the save, and the panel ending the impersonated session on the way back.
    tt.equal(actions.filter((a) => a === 'auth.impersonation.request').length, 2, 'each write is one entry');
    tt.ok(actions.includes('auth.impersonation.started'), 'the start is there too');
    const impersonated = rows.filter({ hasText: 'auth.impersonation.request' }).filter({ hasText: 'PATCH' });
    tt.match(await impersonated.getByTestId('audit-who').textContent(), /^Rita Reseller as Alice Customer/, 'who, in words');
    tt.equal(
      await impersonated.getByRole('link', { name: 'Alice Customer' }).getAttribute('href'),
      `/users?search=${encodeURIComponent(alice.email)}`,
      'names link to the person',
    );
    const details = await impersonated.locator('td:nth-child(5)').textContent();
    tt.match(details, /MethodPATCH/, 'details as fields');
    tt.notMatch(details, /[{}"]/, 'no raw JSON');
    const who = await rows.locator('td:nth-child(2)').allTextContents();
    tt.notOk(
      who.some((w) => /\b[0-9a-f]{8}\b/.test(w)),
      'no id prefixes where people are named',
    );
    await screenshot(page, 'audit-log-filtered');
    tt.same(await seriousViolations(page), [], 'no serious accessibility violation');

    await page.getByLabel('Actor e-mail').fill('');
    await page.getByLabel('Target').fill('alice@');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/target=alice%40/);
    // The filtered table replaces the previous one: wait until no row is about anyone else.
    await page
      .waitForFunction(
        (email) => [...document.querySelectorAll('tbody tr td:nth-child(4)')].every((td) => td.textContent?.includes(email)),
        alice.email,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    const targets = await page.locator('tbody tr td:nth-child(4)').allTextContents();
    tt.ok(targets.length > 0, 'entries about alice');
    tt.ok(
      targets.every((text) => text.includes(alice.email)),
      'only entries whose target is alice',
    );
  });
});
