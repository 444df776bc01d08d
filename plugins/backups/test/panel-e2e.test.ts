/**
 * End to end in Debian's Chromium, on the built panel, real nginx and real restic: a customer
 * makes a website, backs it up from the Backups page and watches the progress column move
 * without reloading (the page follows a running backup by itself), cancels one run from its
 * row, follows another with JavaScript off through the Refresh link, then restores one file
 * from the backup's page and the file is back byte-identical. Uploads are throttled
 * (`limitUploadKiB`) so a backup of 200 MB of random data runs long enough to be watched.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import backups from '../src/index.js';
import { launchBrowser, browserTestsCanRun, screenshot, type Browser } from '../../../panel/test/support/browser.js';
import { startPanelHost, type PanelHost } from '../../../panel/test/support/panel-host.js';
import { stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) t.skip(`real restic + nginx: ${missing}`);
else if (browserTestsCanRun()) await run();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(): Promise<void> {
  let host: PanelHost;
  let browser: Browser;
  let noJs: Browser;
  const root = await mkdtemp(path.join(tmpdir(), 'hp-backups-e2e-'));
  t.before(async () => {
    [host, browser, noJs] = await Promise.all([
      startPanelHost({
        runWorkers: true,
        plugins: [backups],
        // 16 MiB/s: the site's 200 MB of random data take about 12 s to go, long enough to watch
        // (restic reads ahead of its uploads by tens of MB: with less data it reads 99.9 % at once).
        config: {
          backups: { repository: path.join(root, 'repository'), platform: { schedule: '' }, limitUploadKiB: 16_384 },
        },
      }),
      launchBrowser(),
      launchBrowser({ javaScriptEnabled: false }),
    ]);
  });
  t.teardown(async () => {
    await browser?.close();
    await noJs?.close();
    await host?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function signIn(tt: Test, which: Browser): Promise<Page> {
    const page = await which.context.newPage();
    tt.teardown(() => page.close());
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(host.logins.alice.email);
    await page.getByLabel('Password').fill(host.logins.alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    return page;
  }

  /** The newest backup's row: status and progress as the page shows them now. */
  async function newest(page: Page): Promise<{ status: string; percent: number | null }> {
    const cells = page.locator('tbody tr').first().locator('td');
    const status = ((await cells.nth(1).textContent()) ?? '').trim();
    const text = ((await cells.nth(2).textContent()) ?? '').trim();
    return { status, percent: text === '—' || text === '' ? null : Number(text) };
  }

  t.test('a customer backs a site up, watches it, cancels one, restores one file', async (tt) => {
    if (host.webServerMissing) {
      if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') tt.fail(`no real web server here: ${host.webServerMissing}`);
      else tt.comment(`skipped: no real web server here: ${host.webServerMissing}`);
      return;
    }
    const page = await signIn(tt, browser);
    const domain = `bk-${Date.now()}.example.test`;
    await page.goto(`${host.url}/websites/new`);
    await page.locator('#f-domain').fill(domain);
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('link', { name: 'Delete website…' }).waitFor();
    const siteId = new URL(page.url()).pathname.split('/').pop()!;
    // With JavaScript the website page follows the site until it is live.
    await page.getByRole('link', { name: 'Visit website' }).waitFor({ timeout: 60_000 });
    const site = (await (await page.request.get(`${host.url}/v1/websites/${siteId}`)).json()) as { documentRoot: string };
    const keep = path.join(site.documentRoot, 'keep.bin');
    const original = randomBytes(300_000);
    await writeFile(keep, original, { mode: 0o640 });
    await mkdir(path.join(site.documentRoot, 'big'));
    for (let i = 0; i < 50; i += 1)
      await writeFile(path.join(site.documentRoot, 'big', `${i}.bin`), randomBytes(4 * 1024 * 1024));

    // Back up now, and cancel that run from its row while it runs.
    await page.goto(`${host.url}/p/backups/backups`);
    await page.getByLabel('Website').selectOption({ label: domain });
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.locator('tbody tr').first().getByText('running').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^Cancel / }).click();
    await page.locator('tbody tr').first().getByText('cancelled').waitFor({ timeout: 30_000 });
    tt.equal(await page.getByRole('button', { name: /^Cancel / }).count(), 0, 'no Cancel on a cancelled backup');

    // Again, watched to the end without a reload: the page's own state survives throughout.
    await page.getByLabel('Website').selectOption({ label: domain });
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page
      .locator('tbody tr')
      .first()
      .getByText(/queued|running/)
      .waitFor();
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    tt.ok(await page.getByRole('link', { name: 'Refresh' }).isVisible(), 'a Refresh link for browsers without JavaScript');

    // Watched at once in both browsers: this one follows by itself; one with JavaScript off
    // follows through its Refresh link.
    const plain = await signIn(tt, noJs);
    await plain.goto(`${host.url}/p/backups/backups`);
    const watch = async (p: Page, next: () => Promise<unknown>) => {
      const seen: number[] = [];
      let last = { status: '', percent: null as number | null };
      for (let i = 0; i < 240; i += 1) {
        last = await newest(p);
        if (last.percent !== null && seen[seen.length - 1] !== last.percent) seen.push(last.percent);
        if (last.status === 'succeeded' || last.status === 'failed') break;
        await sleep(250);
        await next();
      }
      return { seen, last };
    };
    const [live, refreshed] = await Promise.all([
      watch(page, async () => undefined),
      watch(plain, () => plain.getByRole('link', { name: 'Refresh' }).click()),
    ]);
    const { seen, last } = live;
    tt.ok(
      refreshed.seen.filter((p) => p > 0 && p < 100).length >= 2,
      `without JavaScript, Refresh shows the progress moving: ${refreshed.seen.join(' → ')}`,
    );
    tt.equal(refreshed.last.status, 'succeeded');
    tt.equal(last.status, 'succeeded', 'the backup finished');
    tt.ok(seen.filter((p) => p > 0 && p < 100).length >= 2, `progress moved while it ran: ${seen.join(' → ')}`);
    tt.equal(seen[seen.length - 1], 100);
    tt.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'never reloaded');
    tt.equal(await page.getByRole('link', { name: 'Refresh' }).count(), 0, 'nothing polls once no backup runs');
    await screenshot(page, 'backups-finished');

    // One file lost, and put back from the backup's own page.
    await writeFile(keep, 'overwritten by mistake');
    const link = page.locator('tbody tr').first().getByRole('link').first();
    const siteName = ((await link.textContent()) ?? '').trim();
    await link.click();
    await page.getByRole('heading', { name: siteName }).waitFor();
    await page.getByRole('textbox', { name: 'File or folder' }).fill(`${path.basename(site.documentRoot)}/keep.bin`);
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByText('Restore started').waitFor();
    let back = Buffer.alloc(0);
    for (let i = 0; i < 120 && !back.equals(original); i += 1) {
      await sleep(250);
      back = await readFile(keep);
    }
    tt.ok(back.equals(original), 'the file is back, byte-identical');
    tt.equal((await stat(keep)).mode & 0o777, 0o640, 'with its mode');
  });
}
