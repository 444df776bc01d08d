/**
 * Issue 13, in the browser: deleting a WordPress site offers to delete the database made for it
 * (the databases plugin on a real managed MariaDB), and ticking the box deletes it too.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import databases from '@hostplane/plugin-databases';
import mariadb, { ManagedServer } from '@hostplane/plugin-databases-mariadb';
import { freePort, systemMissing as mariadbMissing, tempRoot } from '../../plugins/databases-mariadb/test/helpers.js';
import { browserTestsCanRun, launchBrowser } from './support/browser.js';
import { startPanelHost } from './support/panel-host.js';

const missing = mariadbMissing();
if (missing) t.plan(0, missing);
else if (browserTestsCanRun()) {
  const dbRoot = await tempRoot();
  const dbPort = await freePort();
  // A stand-in WordPress archive: the install needs a wordpress/ folder (the real one is
  // plugins/websites/test/wordpress-install-page.test.ts's).
  const fixture = await mkdtemp(path.join(tmpdir(), 'hp-wp-fixture-'));
  await mkdir(path.join(fixture, 'wordpress'));
  await writeFile(path.join(fixture, 'wordpress', 'index.php'), '<?php echo "wp";');
  const archive = path.join(fixture, 'wordpress.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', fixture, 'wordpress']);
  const host = await startPanelHost({
    plugins: [mariadb, databases],
    config: {
      'databases-mariadb': { root: dbRoot, port: dbPort, bufferPoolMb: 16 },
      websites: { wordpress: { archiveUrl: pathToFileURL(archive).href } },
    },
  });
  const browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await host.close();
    const server = new ManagedServer({
      root: dbRoot,
      port: dbPort,
      host: '127.0.0.1',
      mariadbd: '/usr/sbin/mariadbd',
      installDb: '/usr/bin/mariadb-install-db',
      bufferPoolMb: 16,
    });
    await server.stop();
    await rm(fixture, { recursive: true, force: true });
  });

  t.test('a WordPress site’s delete form offers its database, and deletes it when ticked', async (t) => {
    if (host.webServerMissing) {
      t.comment(`no web server: ${host.webServerMissing}`);
      return;
    }
    const page = await browser.context.newPage();
    t.teardown(() => page.close());
    const { alice } = host.logins;
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    const domain = `wp-${Date.now()}.example.test`;
    await page.goto(`${host.url}/websites/new`);
    await page.locator('#f-domain').fill(domain);
    await page.getByLabel('Type').selectOption('wordpress');
    await page.getByRole('button', { name: 'Create website' }).click();
    await page.getByRole('link', { name: 'Delete website…' }).waitFor();
    const siteUrl = page.url().replace(/\?.*$/, '');

    // The database is made while the site is provisioned: the offer appears once it exists.
    const offer = page.getByLabel(/Also delete its database/);
    for (let i = 0; i < 60 && !(await offer.isVisible()); i++) {
      await page.goto(`${siteUrl}?confirm=delete`);
      if (!(await offer.isVisible())) await page.waitForTimeout(500);
    }
    t.ok(await offer.isVisible(), 'the delete form offers the site’s database');
    const label = (await page.locator('label', { has: offer }).textContent()) ?? '';
    const name = /([a-z][a-z0-9]*_wp_[a-z0-9_]+)/.exec(label)?.[1] as string;
    t.ok(name, `names it: ${label}`);

    await page.getByLabel(`Type ${domain} to confirm`).fill(domain);
    await offer.check();
    await page.getByRole('button', { name: 'Delete website' }).click();
    await page.waitForURL(/\/websites$/);
    let left = '';
    for (let i = 0; i < 60; i++) {
      await page.goto(`${host.url}/p/databases/databases`);
      left = (await page.locator('main').textContent()) ?? '';
      if (!left.includes(name)) break;
      await page.waitForTimeout(500);
    }
    t.notMatch(left, name, 'the database went with the site');
    t.match(left, /No databases yet/, 'her databases page says she has none');
  });
}
