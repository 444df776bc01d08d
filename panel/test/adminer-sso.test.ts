/**
 * Issue 13, in the browser with JavaScript off: a customer creates a database in the panel,
 * presses Adminer on its row and lands in Adminer logged in to that database (decision 0075:
 * real managed MariaDB, NGINX + PHP-FPM serving Debian's Adminer). The link works once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import databases from '@hostplane/plugin-databases';
import mariadb, { ManagedServer } from '@hostplane/plugin-databases-mariadb';
import { freePort, systemMissing as mariadbMissing, tempRoot } from '../../plugins/databases-mariadb/test/helpers.js';
import { browserTestsCanRun, launchBrowser } from './support/browser.js';
import { startPanelHost } from './support/panel-host.js';

/** A package's file the test reads (not a program): missing is a skip, or a failure under HOSTPLANE_REQUIRE_SYSTEM=1. */
function packageMissing(file: string, install: string): string | null {
  if (existsSync(file)) return null;
  const reason = `needs ${file}: ${install}`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

const missing = mariadbMissing() ?? packageMissing('/usr/share/adminer/adminer.php', 'apt-get install adminer');
if (missing) t.plan(0, missing);
else if (browserTestsCanRun()) {
  const dbRoot = await tempRoot();
  const [dbPort, adminerPort] = [await freePort(), await freePort()];
  const host = await startPanelHost({
    plugins: [mariadb, databases],
    config: {
      'databases-mariadb': { root: dbRoot, port: dbPort, bufferPoolMb: 16 },
      'webserver-nginx': { adminerPort },
    },
  });
  const browser = await launchBrowser({ javaScriptEnabled: false });
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
  });

  t.test('the Adminer button opens Adminer on the customer’s database, once', async (t) => {
    if (host.webServerMissing) {
      t.comment(`no web server: ${host.webServerMissing}`);
      return;
    }
    // The token folder is under the web server's root, a temp folder the panel host made.
    await host.kernel.setConfig('databases', {
      adminerUrl: `http://127.0.0.1:${adminerPort}/`,
      adminerTokenDir: path.join(host.siteRoot, 'adminer', 'tokens'),
    });
    const page = await browser.context.newPage();
    t.teardown(() => page.close());
    const { alice } = host.logins;
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.goto(`${host.url}/p/databases/databases`);
    await page.getByLabel(/Name \(after your prefix\)/).fill('shop');
    await page.getByRole('button', { name: 'Create database' }).click();
    const row = page.getByRole('row', { name: /alice[a-z0-9]*_shop/ });
    await row.waitFor();
    const name = /(alice[a-z0-9]*_shop)/.exec((await row.textContent()) ?? '')?.[1] as string;

    const links: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('hostplane=')) links.push(r.url());
    });
    await row.getByRole('button', { name: 'Adminer' }).click();
    await page.waitForURL(new RegExp(`^http://127\\.0\\.0\\.1:${adminerPort}/\\?server=`), { timeout: 15_000 });
    const url = new URL(page.url());
    t.equal(url.searchParams.get('db'), name, 'Adminer opened on the database');
    t.notOk(url.searchParams.has('hostplane'), 'the spent token is in no later address');
    t.match((await page.locator('body').textContent()) ?? '', name, 'Adminer shows it');
    t.equal(await page.locator('input[type="password"]').count(), 0, 'no login form');

    t.equal(links.length, 1, 'one one-time link followed');
    const again = await page.goto(links[0] as string);
    t.equal(again?.status(), 403, 'the link works once');
    t.match((await page.locator('h1').textContent()) ?? '', /not valid/);
  });
}
