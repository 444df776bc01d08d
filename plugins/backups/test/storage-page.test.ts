/**
 * A reseller's own backup storage from the panel, in Debian's Chromium on the built panel with
 * real restic and a real sshd: the page says there is none, the reseller sets its SFTP server
 * with the form, sees the public key the target made and that the server does not let it in
 * yet, installs the key and sees the repository open, then stops using it. A refused host key
 * and a bucket without its secret are shown next to their fields, and nothing is stored.
 * The same works without JavaScript. Customers have no such page.
 */
import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import backups from '../src/index.js';
import { launchBrowser, seriousViolations } from '../../../panel/test/support/browser.js';
import { browserSuite, type Suite } from '../../../panel/test/support/suite.js';
import { stackMissing } from './stack.js';
import { sshdMissing, startSshd } from './sshd.js';

const missing = stackMissing() ?? sshdMissing();
if (missing) t.skip(`real restic + sshd: ${missing}`);
else await run();

async function run(): Promise<void> {
  const sshd = await startSshd(t);
  const root = await mkdtemp(path.join(tmpdir(), 'hp-backups-storage-'));
  await browserSuite(suite, {
    webServer: false,
    runWorkers: false,
    plugins: [backups],
    // The sshd runs on this machine: the admin's exception lets resellers name it.
    config: {
      backups: { repository: path.join(root, 'repository'), platform: { schedule: '' }, resellerTargetHosts: ['127.0.0.1'] },
    },
  });
  // After the suite's own teardown (browser, then host): the repository goes last.
  t.teardown(() => rm(root, { recursive: true, force: true }));

  function suite({ host, freshPage, signIn: signInPage }: Suite): void {
    async function signIn(tt: Test, who: { email: string; password: string }): Promise<Page> {
      const page = await freshPage(tt);
      await signInPage(page, who);
      return page;
    }

    /** The value shown beside a label of the "Your storage" section. */
    const shown = async (page: Page, label: string | RegExp): Promise<string> =>
      ((await page.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '').trim();

    const sftpForm = (page: Page) => page.locator('form', { has: page.getByRole('button', { name: 'Use this SFTP server' }) });

    t.test('a reseller sets its SFTP server, installs the key it made, and stops using it', async (tt) => {
      const page = await signIn(tt, host().logins.reseller);
      await page.getByRole('link', { name: 'Backup storage' }).click();
      await page.getByRole('heading', { name: 'Backup storage' }).waitFor();
      tt.match(
        await page.locator('main').textContent(),
        /None of your own: your customers’ backups go to the platform’s storage/,
      );
      tt.same(await seriousViolations(page), [], 'no serious accessibility violations');

      // A bucket without its secret: the API names the field, the form marks it, nothing is stored.
      const bucket = page.locator('form', { has: page.getByRole('button', { name: 'Use this bucket' }) });
      await bucket.getByRole('textbox', { name: 'Endpoint', exact: true }).fill('https://127.0.0.1:9');
      await bucket.getByRole('textbox', { name: 'Bucket', exact: true }).fill('backups');
      await bucket.getByRole('textbox', { name: 'Access key id', exact: true }).fill('AKIA0000');
      await bucket.getByRole('button', { name: 'Use this bucket' }).click();
      await bucket.locator('[aria-invalid="true"]').first().waitFor();
      tt.equal(await bucket.getByLabel('Secret access key').getAttribute('aria-invalid'), 'true', 'the missing secret is marked');
      tt.match(await page.locator('main').textContent(), /None of your own/, 'nothing stored');

      const form = sftpForm(page);
      const folder = path.join(sshd.storage, 'from-the-panel');
      await form.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
      await form.getByRole('spinbutton', { name: 'Port' }).fill(String(sshd.port));
      await form.getByRole('textbox', { name: 'User', exact: true }).fill(sshd.user);
      await form.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
      await form.getByRole('textbox', { name: 'Host key', exact: true }).fill('not a key');
      await form.getByRole('button', { name: 'Use this SFTP server' }).click();
      const hostKeyField = form.getByRole('textbox', { name: 'Host key', exact: true });
      await form.locator('[aria-invalid="true"]').first().waitFor();
      tt.equal(await hostKeyField.getAttribute('aria-invalid'), 'true', 'the refused host key is marked');
      tt.match(await page.locator('main').textContent(), /None of your own/, 'nothing stored');

      await hostKeyField.fill(sshd.hostKey);
      await form.getByRole('button', { name: 'Use this SFTP server' }).click();
      await page.locator('dt', { hasText: 'Repository' }).waitFor();
      tt.equal(await shown(page, 'Repository'), `sftp:${sshd.user}@127.0.0.1:${folder}`);
      tt.equal(await shown(page, 'Kind'), 'sftp');
      const publicKey = await shown(page, /SSH public key/);
      tt.match(publicKey, /^ssh-ed25519 AAAA/, 'the key the target made, to install');
      tt.match(await shown(page, 'Error'), /\S/, 'the server does not let it in yet, and the page says why');
      tt.equal(
        await form.getByRole('textbox', { name: 'Host', exact: true }).inputValue(),
        '127.0.0.1',
        'the form shows what is stored',
      );
      tt.notMatch(await page.content(), /PRIVATE KEY/, 'the private key never comes back');

      await sshd.authorize([publicKey]);
      await page.reload();
      await page.locator('dt', { hasText: 'Repository' }).waitFor();
      tt.equal(await shown(page, 'Snapshots'), '0', 'the repository opens with its key');
      tt.equal(await shown(page, 'Error'), '—');

      await page.getByRole('button', { name: 'Stop using it' }).click();
      await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Stop using it' }).click();
      await page.getByText('None of your own').waitFor();
      tt.equal(await page.locator('dt', { hasText: 'Repository' }).count(), 0, 'back to the platform’s storage');
    });

    t.test('the same without JavaScript: set, shown, stopped after the question', async (tt) => {
      const noJs = await launchBrowser({ javaScriptEnabled: false });
      tt.teardown(() => noJs.close());
      const page = await noJs.context.newPage();
      await page.goto(`${host().url}/login`);
      await page.getByLabel('Email').fill(host().logins.reseller.email);
      await page.getByLabel('Password').fill(host().logins.reseller.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.goto(`${host().url}/p/backups/storage`);
      const form = sftpForm(page);
      const folder = path.join(sshd.storage, 'without-javascript');
      await form.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
      await form.getByRole('spinbutton', { name: 'Port' }).fill(String(sshd.port));
      await form.getByRole('textbox', { name: 'User', exact: true }).fill(sshd.user);
      await form.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
      await form.getByRole('textbox', { name: 'Host key', exact: true }).fill(sshd.hostKey);
      await form.getByRole('button', { name: 'Use this SFTP server' }).click();
      await page.locator('dt', { hasText: 'Repository' }).waitFor();
      tt.equal(await shown(page, 'Repository'), `sftp:${sshd.user}@127.0.0.1:${folder}`, 'saved by a plain form post');
      await page.getByRole('button', { name: 'Stop using it' }).click();
      await page.getByRole('region', { name: 'Please confirm' }).getByRole('button', { name: 'Stop using it' }).click();
      await page.getByText('None of your own').waitFor();
      tt.equal(await page.locator('dt', { hasText: 'Repository' }).count(), 0, 'stopped after the question');
    });

    t.test('a customer has no storage page', async (tt) => {
      const page = await signIn(tt, host().logins.alice);
      tt.equal(await page.getByRole('link', { name: 'Backup storage' }).count(), 0, 'not in the navigation');
      const res = await page.goto(`${host().url}/p/backups/storage`);
      tt.equal(res?.status(), 404);
    });
  }
}
