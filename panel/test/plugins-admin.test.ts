/**
 * Disabling from the plugins page: a plugin others require asks first, naming what stops with
 * it; the only plugin that signs people in is refused with the reason and the way round.
 */
import t from 'tap';
import { launchBrowser } from './support/browser.js';
import { browserSuite } from './support/suite.js';

await browserSuite((suite) => {
  t.test('disabling accounts names websites, which stops with it, and asks first', async (tt) => {
    const page = await suite.freshPage(tt);
    const host = suite.host();
    await suite.signIn(page, host.logins.admin);
    await page.goto(`${host.url}/admin/plugins`);
    const enabled = async (id: string) => host.kernel.plugin(id)?.enabled;
    const name = (id: string) => host.kernel.plugin(id)?.displayName || id;

    await page.getByRole('button', { name: `Disable ${name('accounts')}` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    tt.match(await dialog.getByTestId('disable-consequences').textContent(), new RegExp(`${name('websites')} requires it`));
    tt.ok((await enabled('accounts')) && (await enabled('websites')), 'nothing disabled before the yes');
    await dialog.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    tt.ok(await enabled('accounts'), 'cancel keeps it');

    await page.getByRole('button', { name: `Disable ${name('accounts')}` }).click();
    await page.getByRole('button', { name: `Disable ${name('accounts')} and ${name('websites')}` }).click();
    await page.getByRole('button', { name: `Enable ${name('accounts')}` }).waitFor();
    tt.notOk(await enabled('websites'), 'websites stopped with it');
    tt.notOk(await enabled('accounts'), 'and accounts');
    tt.ok(await page.getByRole('button', { name: `Enable ${name('websites')}` }).isVisible());

    await page.getByRole('button', { name: `Enable ${name('accounts')}` }).click();
    await page.getByRole('button', { name: `Disable ${name('accounts')}` }).waitFor();
    await page.getByRole('button', { name: `Enable ${name('websites')}` }).click();
    await page.getByRole('button', { name: `Disable ${name('websites')}` }).waitFor();
    tt.same(suite.consoleErrors(page), []);
  });

  t.test('without JavaScript the confirmation is a page of its own and works the same', async (tt) => {
    const host = suite.host();
    const name = (id: string) => host.kernel.plugin(id)?.displayName || id;
    const browser = await launchBrowser({ javaScriptEnabled: false });
    tt.teardown(() => browser.close());
    const page = await browser.context.newPage();
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.admin.email);
    await page.getByLabel('Password').fill(host.logins.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${host.url}/admin/plugins`);
    await page.getByRole('button', { name: `Disable ${name('accounts')}` }).click();
    await page.getByRole('alertdialog').waitFor();
    tt.ok(host.kernel.plugin('websites')?.enabled, 'asked first');
    await page.getByRole('button', { name: `Disable ${name('accounts')} and ${name('websites')}` }).click();
    await page.getByRole('button', { name: `Enable ${name('accounts')}` }).waitFor();
    tt.notOk(host.kernel.plugin('websites')?.enabled, 'websites stopped with it');
    await page.getByRole('button', { name: `Enable ${name('accounts')}` }).click();
    await page.getByRole('button', { name: `Enable ${name('websites')}` }).click();
    await page.getByRole('button', { name: `Disable ${name('websites')}` }).waitFor();
  });

  t.test('the only sign-in plugin cannot be disabled from the panel, and the page says why', async (tt) => {
    const page = await suite.freshPage(tt);
    const host = suite.host();
    await suite.signIn(page, host.logins.admin);
    await page.goto(`${host.url}/admin/plugins`);
    const auth = host.kernel.plugin('auth')?.displayName || 'auth';
    await page.getByRole('button', { name: `Disable ${auth}` }).click();
    const toast = page.locator('[data-toast="error"]');
    await toast.waitFor();
    tt.match(await toast.textContent(), /last one that signs people in.*--force/, 'the refusal says why and the way round');
    tt.ok(host.kernel.plugin('auth')?.enabled, 'auth stays enabled');
    await page.goto(`${host.url}/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    tt.pass('and the admin is still signed in');
  });
});
