/** Node.js sites (a supervised app behind proxy_pass) and WordPress installs from an archive. */
import { execFileSync } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { waitFor } from '../src/services/exec.js';
import { lookupUser } from '../src/services/users.js';
import { fileDriver, freePort, get, isRoot, site, systemMissing } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const { driver, root, port, name } = await fileDriver(t);
  const status = await driver.start();
  t.equal(status.state, 'ready');
  const php = status.phpVersions[0] as string;

  /** Poll through NGINX until the answer matches. */
  const until = async (host: string, test: (body: string, code: number) => boolean, ms = 10_000): Promise<string> => {
    let last = '';
    const ok = await waitFor(
      async () => {
        const res = await get(port, host).catch((e: Error) => ({ status: 0, body: e.message }));
        last = `${res.status} ${res.body}`;
        return test(res.body, res.status);
      },
      ms,
      50,
    );
    if (!ok) throw new Error(`${host} never matched; last answer: ${last}`);
    return last;
  };

  t.test('a Node.js site: proxied to its app, run as the site user, restarted when it dies, stopped on suspend', async (t) => {
    const n = name('node');
    const appPort = await freePort();
    const script =
      "console.log('app starting');require('http').createServer((q,s)=>s.end(['node',process.env.PORT,process.getuid(),process.pid,process.env.GREETING].join(' '))).listen(Number(process.env.PORT),'127.0.0.1')";
    const spec = site(n, {
      kind: 'nodejs',
      nodejs: { command: [process.execPath, '-e', script], port: appPort, env: { GREETING: 'hi' } },
    });
    await driver.apply(spec);
    const first = await until(`${n}.example.test`, (b, c) => c === 200 && b.startsWith('node '));
    const [, , envPort, uid, pid, greeting] = first.split(' ');
    t.equal(envPort, String(appPort), 'PORT passed');
    t.equal(greeting, 'hi', 'env passed');
    if (isRoot) t.equal(Number(uid), (await lookupUser(driver.siteUser(n) as string))?.uid, 'runs as the site user');
    t.equal(driver.appPid(n), Number(pid));

    process.kill(Number(pid), 'SIGKILL');
    await until(`${n}.example.test`, (b, c) => c === 200 && b.split(' ')[3] !== pid);
    t.pass('restarted after it was killed');
    const log = await fs.readFile(path.join(root, 'sites', n, 'logs', 'app.log'), 'utf8');
    t.ok((log.match(/app starting/g) ?? []).length >= 2, 'output kept in logs/app.log');

    await driver.apply(spec);
    t.equal(driver.appPid(n), Number((await get(port, `${n}.example.test`)).body.split(' ')[3]), 're-apply leaves the app alone');

    await driver.suspend(spec);
    t.equal(driver.appPid(n), null, 'app stopped on suspend');
    t.equal((await get(port, `${n}.example.test`)).status, 503);
    await driver.apply(spec);
    await until(`${n}.example.test`, (b, c) => c === 200 && b.startsWith('node '));
    await driver.remove(spec);
    t.equal(driver.appPid(n), null, 'app stopped on remove');
  });

  /** A tiny stand-in for wordpress.tar.gz. */
  const fixture = async (hostile = false): Promise<string> => {
    const dir = await fs.mkdtemp(path.join(root, 'fixture-'));
    await fs.mkdir(path.join(dir, 'wordpress'));
    await fs.writeFile(
      path.join(dir, 'wordpress', 'index.php'),
      "<?php echo 'wp ', file_exists(__DIR__ . '/wp-config.php') ? 'configured' : 'bare', ' ', $_SERVER['REQUEST_URI'];",
    );
    await fs.writeFile(path.join(dir, 'wordpress', 'wp-config-sample.php'), '<?php // sample');
    const archive = path.join(dir, 'wordpress.tar.gz');
    const args = ['-czf', archive, '-C', dir, 'wordpress'];
    if (hostile) {
      await fs.writeFile(path.join(dir, 'evil.php'), '<?php // escaped');
      args.push('--transform', 's,^evil,wordpress/../../evil,', 'evil.php');
    }
    execFileSync('tar', args, { stdio: 'ignore' });
    return pathToFileURL(archive).href;
  };
  const database = { host: 'localhost', name: 'wp', user: 'wp', password: "s3cr'et", tablePrefix: 'wp_' };

  t.test('WordPress: installed from the archive once, wp-config written, pretty links reach index.php', async (t) => {
    const n = name('wp');
    const spec = site(n, { kind: 'wordpress', phpVersion: php, wordpress: { archiveUrl: await fixture(), database } });
    const applied = await driver.apply(spec);
    const res = await get(port, `${n}.example.test`, '/2026/11/hello-world/');
    t.equal(res.status, 200);
    t.equal(res.body, 'wp configured /2026/11/hello-world/');
    t.equal((await get(port, `${n}.example.test`, '/wp-config.php')).status, 403, 'wp-config.php is never served');
    const config = await fs.readFile(path.join(applied.documentRoot, 'wp-config.php'), 'utf8');
    t.match(config, /define\('DB_PASSWORD', 's3cr\\'et'\);/);
    t.ok(await fs.stat(path.join(applied.documentRoot, 'wp-config-sample.php')));

    await fs.writeFile(path.join(applied.documentRoot, 'index.php'), "<?php echo 'customised';");
    await driver.apply(spec);
    // PHP's opcache looks at a script's mtime at most every 2 s (revalidate_freq, counted in whole
    // seconds, so up to 3 s): without the wait the old index.php may still answer.
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    t.equal((await get(port, `${n}.example.test`)).body, 'customised', 're-apply does not reinstall');
    t.equal(await fs.readFile(path.join(applied.documentRoot, 'wp-config.php'), 'utf8'), config, 'same wp-config and salts');
    if (isRoot) {
      const stat = await fs.stat(path.join(applied.documentRoot, 'wp-config.php'));
      t.equal(stat.uid, (await lookupUser(driver.siteUser(n) as string))?.uid, 'installed files belong to the site user');
      t.equal(stat.mode & 0o777, 0o640);
    }
  });

  t.test('WordPress over http: fetched and installed; a failed download is a plain, retryable error', async (t) => {
    const archive = fileURLToPath(await fixture());
    const server = http.createServer((req, res) => {
      if (req.url !== '/wordpress.tar.gz') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/gzip' });
      createReadStream(archive).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const missingArchive = name('wp404');
    const failed = await driver
      .apply(
        site(missingArchive, { kind: 'wordpress', phpVersion: php, wordpress: { archiveUrl: `${base}/nope.tar.gz`, database } }),
      )
      .then(
        () => null,
        (err: unknown) => err,
      );
    t.ok(failed instanceof Error, 'rejected');
    t.notOk((failed as { code?: string }).code, 'not a config rejection: the reconciler retries');
    t.match((failed as Error).message, /answered 404/);

    const n = name('wphttp');
    await driver.apply(
      site(n, { kind: 'wordpress', phpVersion: php, wordpress: { archiveUrl: `${base}/wordpress.tar.gz`, database } }),
    );
    t.equal((await get(port, `${n}.example.test`)).body, 'wp configured /');
  });

  t.test('WordPress: an archive with entries escaping the target is refused', async (t) => {
    const n = name('wpbad');
    const spec = site(n, { kind: 'wordpress', phpVersion: php, wordpress: { archiveUrl: await fixture(true), database } });
    await t.rejects(driver.apply(spec), { code: 'WEBSERVER_ERR_CONFIG_REJECTED', message: /escaping the target/ });
    await t.rejects(fs.stat(path.join(root, 'sites', 'evil.php')), { code: 'ENOENT' });
    await t.rejects(fs.stat(path.join(root, 'sites', n, 'public', 'index.php')), { code: 'ENOENT' }, 'nothing extracted');
    t.equal((await get(port, `${n}.example.test`)).status, 404, 'no config left');
  });
}
