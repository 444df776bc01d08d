/**
 * Issue 13, the file manager in the panel, in Chromium with JavaScript off (every form is a
 * plain HTML form): a customer makes a PHP site, uploads `index.php` through the file manager
 * and the site, served by the project's real NGINX + PHP-FPM, answers with that PHP's output;
 * then folders with breadcrumbs, download, edit, zip, unzip, rename, copy, modes, a refusal shown beside
 * its form, and a delete that asks first.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, browserTestsCanRun, screenshot, type Browser } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

if (browserTestsCanRun()) await run();

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  let siteFiles = '';
  const scratch = await mkdtemp(path.join(tmpdir(), 'hostplane-fm-upload-'));
  t.before(async () => {
    [host, browser] = await Promise.all([startPanelHost({ runWorkers: true }), launchBrowser({ javaScriptEnabled: false })]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  /** The text of a form's inline refusal, or of the flash message after a change. */
  const flash = (page: Page) => page.locator('[data-toast] span').first().textContent();

  t.test('a customer runs a PHP site uploaded through the file manager, without JavaScript', async (tt) => {
    // HOSTPLANE_REQUIRE_SYSTEM=1 (CI) fails here instead of skipping.
    if (host.webServerMissing) {
      if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') tt.fail(`no real web server here: ${host.webServerMissing}`);
      else tt.comment(`skipped: no real web server here: ${host.webServerMissing}`);
      return;
    }
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.goto(`${host.url}/websites/new`);
    await page.locator('#f-domain').fill(`fm-${Date.now()}.example.test`);
    await page.getByLabel('Type').selectOption('php');
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('link', { name: 'Delete website…' }).waitFor();
    const siteUrl = page.url();
    // Without JavaScript nothing refreshes by itself: reload until the site is live.
    const deadline = Date.now() + 60_000;
    while (!(await page.getByRole('link', { name: 'Visit website' }).count())) {
      if (Date.now() > deadline) throw new Error('the site did not go live within 60 s');
      await new Promise((r) => setTimeout(r, 500));
      await page.goto(siteUrl);
    }
    const preview = await page.getByRole('link', { name: 'Visit website' }).getAttribute('href');
    tt.ok(preview, 'a preview address');

    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: /^Files of / }).waitFor();
    siteFiles = new URL(page.url()).pathname;
    const php = path.join(scratch, 'index.php');
    await writeFile(php, "<?php echo 'from the file manager: ', 6 * 7;");
    await page.getByLabel('File').setInputFiles(php);
    await page.getByRole('button', { name: 'Upload' }).click();
    tt.equal(await flash(page), 'index.php uploaded.', 'uploaded');
    tt.ok(await page.getByRole('link', { name: 'index.php' }).isVisible(), 'listed');

    const site = await browser.context.newPage();
    tt.teardown(() => site.close());
    let body = '';
    for (let i = 0; i < 40 && body !== 'from the file manager: 42'; i++) {
      await site.goto(preview as string);
      body = (await site.locator('body').textContent()) ?? '';
      if (body !== 'from the file manager: 42') await new Promise((r) => setTimeout(r, 250));
    }
    tt.equal(body, 'from the file manager: 42', 'NGINX + PHP-FPM run the uploaded PHP');

    // A folder, breadcrumbs, a file inside.
    await page.getByLabel('Folder name').fill('assets');
    await page.getByRole('button', { name: 'Make folder' }).click();
    tt.equal(await flash(page), 'Folder made.');
    await page.getByLabel('Folder name').fill('assets');
    await page.getByRole('button', { name: 'Make folder' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'exists already' });
    await refusal.waitFor();
    tt.ok(await refusal.isVisible(), 'the refusal is shown beside its form');
    await page.getByRole('link', { name: 'assets/' }).click();
    tt.equal(await page.locator('nav[aria-label="Breadcrumbs"] [aria-current="page"]').textContent(), 'assets');
    const css = path.join(scratch, 'site.css');
    await writeFile(css, 'body { color: red }');
    await page.getByLabel('File').setInputFiles(css);
    await page.getByRole('button', { name: 'Upload' }).click();
    tt.ok(await page.getByRole('link', { name: 'site.css' }).isVisible());

    // Download, then edit a text file.
    await page.getByRole('link', { name: 'site.css' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download site.css' }).click(),
    ]);
    tt.equal(download.suggestedFilename(), 'site.css');
    const saved = await download.path();
    tt.equal(saved ? await readFile(saved, 'utf8') : null, 'body { color: red }', 'the bytes of the file');
    await page.getByRole('link', { name: 'Edit' }).click();
    tt.equal(await page.getByLabel('Content of site.css').inputValue(), 'body { color: red }');
    await page.getByLabel('Content of site.css').fill('body { color: blue }');
    await page.getByRole('button', { name: 'Save' }).click();
    tt.equal(await flash(page), 'site.css saved.');
    await page.getByRole('link', { name: 'Edit' }).click();
    tt.equal(await page.getByLabel('Content of site.css').inputValue(), 'body { color: blue }', 'saved for real');

    // Modes: a sane one is taken, the form offers nothing else.
    await page.getByLabel('Mode').selectOption('0600');
    await page.getByRole('button', { name: 'Change mode' }).click();
    tt.equal(await flash(page), 'Mode of site.css changed.');
    tt.match(await page.locator('tr', { hasText: 'site.css' }).textContent(), /0600/);

    // Back to the root by the breadcrumbs; zip the folder and the PHP file, unzip elsewhere.
    await page.locator('nav[aria-label="Breadcrumbs"]').getByRole('link', { name: 'Files' }).click();
    await page.getByLabel('Zip assets').check();
    await page.getByLabel('Zip index.php').check();
    await page.getByLabel('Zip the ticked entries into').fill('site.zip');
    await page.getByRole('button', { name: 'Zip', exact: true }).click();
    tt.equal(await flash(page), '2 zipped into site.zip.');
    await page.getByRole('link', { name: 'site.zip' }).click();
    await page.getByLabel('Extract into the folder').fill('restored');
    await page.getByRole('button', { name: 'Unzip' }).click();
    tt.equal(await flash(page), '3 files and folders extracted.');
    tt.equal(await page.locator('nav[aria-label="Breadcrumbs"] [aria-current="page"]').textContent(), 'restored');
    tt.ok(await page.getByRole('link', { name: 'assets/' }).isVisible(), 'the folder came out of the archive');

    // Rename, copy, then delete after typing the name.
    await page.getByRole('link', { name: 'index.php' }).click();
    await page.getByLabel('Rename, move or copy to (a path in the site)').fill('restored/old.php');
    await page.getByRole('button', { name: 'Rename or move' }).click();
    tt.equal(await flash(page), 'Moved to restored/old.php.');
    await page.getByRole('link', { name: 'old.php' }).click();
    await page.getByLabel('Rename, move or copy to (a path in the site)').fill('restored/copy.php');
    await page.getByRole('button', { name: 'Copy' }).click();
    tt.equal(await flash(page), 'Copied to restored/copy.php.');
    tt.ok(await page.getByRole('link', { name: 'old.php' }).isVisible(), 'the copy leaves the original');
    await page.getByRole('link', { name: 'copy.php' }).click();
    await page.getByRole('link', { name: 'Delete…' }).click();
    await page.getByLabel('Type copy.php to confirm').fill('something else');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    tt.ok(await page.getByText('does not match the name').isVisible(), 'a wrong confirmation deletes nothing');
    await page.getByLabel('Type copy.php to confirm').fill('copy.php');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    tt.equal(await flash(page), 'copy.php deleted.');
    tt.equal(await page.getByRole('link', { name: 'copy.php' }).count(), 0);
    await screenshot(page, 'file-manager');

    // A path out of the site typed into a form is refused beside it, nothing moves.
    await page.getByRole('link', { name: 'old.php' }).click();
    await page.getByLabel('Rename, move or copy to (a path in the site)').fill('../../etc/evil.php');
    await page.getByRole('button', { name: 'Rename or move' }).click();
    await page.getByRole('alert').first().waitFor();
    tt.match(await page.getByRole('main').textContent(), /not allowed/, 'the path rule in words');
    await page.goto(`${host.url}${siteFiles}?path=restored`);
    tt.ok(await page.getByRole('link', { name: 'old.php' }).isVisible(), 'still there');
  });

  t.test('another customer’s site files are not found', async (tt) => {
    const page = await browser.context.newPage();
    tt.teardown(() => page.close());
    await browser.context.clearCookies();
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.bob.email);
    await page.getByLabel('Password').fill(host.logins.bob.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    tt.ok(siteFiles, 'alice has a site');
    const res = await page.goto(`${host.url}${siteFiles}`);
    tt.equal(res?.status(), 404);
    const download = await page.goto(`${host.url}${siteFiles}/download?path=restored%2Fold.php`);
    tt.equal(download?.status(), 404, 'nor downloaded');
    tt.notMatch((await download?.text()) ?? '', /from the file manager/);
  });
}
