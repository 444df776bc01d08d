/**
 * The driver against real NGINX and PHP-FPM in managed mode: a temp root, a free port, a site
 * user per site when root. One driver for the file; each test adds its own sites.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { SiteConfigRejected, WebServerUnavailable } from '@hostplane/sdk';
import { lookupUser, SITE_ID_MAX, SITE_ID_MIN } from '../src/services/users.js';
import { fileDriver, get, isRoot, listFiles, makeDriver, site, systemMissing } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const { driver, root, port, name } = await fileDriver(t);
  const status = await driver.start();
  t.equal(status.state, 'ready', `driver ready (${status.reason ?? ''})`);
  t.ok(status.phpVersions.length > 0, 'found a PHP version');
  const php = status.phpVersions[0] as string;

  t.test('a static site is served by host name and by its preview name', async (t) => {
    const n = name('static');
    const applied = await driver.apply(site(n));
    t.equal(applied.documentRoot, path.join(root, 'sites', n, 'public'));
    t.equal(applied.previewUrl, `http://${n}.localhost:${port}`);
    const byDomain = await get(port, `${n}.example.test`);
    t.equal(byDomain.status, 200);
    t.match(byDomain.body, /It works/, 'placeholder page');
    await fs.writeFile(path.join(applied.documentRoot, 'index.html'), 'hello static');
    t.equal((await get(port, `${n}.localhost`)).body, 'hello static', 'preview name serves the same files');
    t.equal((await get(port, `${n}.example.test`, '/.env')).status, 403, 'dotfiles are refused');
    await driver.apply(site(n));
    t.equal((await get(port, `${n}.example.test`)).body, 'hello static', 're-apply keeps content');
  });

  t.test('an unknown host name gets the default 404 page', async (t) => {
    const res = await get(port, 'nobody.example.test');
    t.equal(res.status, 404);
    t.match(res.body, /No website here/);
  });

  t.test('a PHP site runs PHP as its own user with its limits', async (t) => {
    const n = name('php');
    const applied = await driver.apply(
      site(n, { kind: 'php', phpVersion: php, resources: { phpMemoryMb: 96, phpMaxChildren: 2, uploadMaxMb: 7 } }),
    );
    await fs.writeFile(path.join(applied.documentRoot, 'index.php'), '<?php echo PHP_VERSION;');
    await fs.writeFile(
      path.join(applied.documentRoot, 'info.php'),
      "<?php echo json_encode(['user' => get_current_user(), 'uid' => getmyuid(), 'euid' => posix_geteuid(), 'mem' => ini_get('memory_limit'), 'upload' => ini_get('upload_max_filesize'), 'basedir' => ini_get('open_basedir'), 'passwd' => @file_get_contents('/etc/passwd') !== false]);",
    );
    const res = await get(port, `${n}.example.test`);
    t.equal(res.status, 200);
    t.ok(res.body.startsWith(php), `PHP executed: ${res.body}`);
    const info = JSON.parse((await get(port, `${n}.example.test`, '/info.php')).body) as Record<string, unknown>;
    t.equal(info.mem, '96M');
    t.equal(info.upload, '7M');
    t.match(info.basedir, path.join(root, 'sites', n, 'public'));
    t.equal(info.passwd, false, 'open_basedir keeps PHP inside the site');
    if (isRoot) {
      const user = await lookupUser(driver.siteUser(n) as string);
      t.ok(user, 'a system user exists for the site');
      t.equal(info.euid, user?.uid, 'PHP runs as the site user');
      const stat = await fs.stat(path.join(root, 'sites', n));
      t.equal(stat.mode & 0o777, 0o750);
      t.equal(stat.uid, user?.uid);
    }
  });

  t.test(
    'a batch creates its site users in one go: locked accounts in their own id band',
    { skip: !isRoot && 'needs root' },
    async (t) => {
      const batch = Array.from({ length: 5 }, () => name('many'));
      await Promise.all(batch.map((n) => driver.apply(site(n, { kind: 'php', phpVersion: php }))));
      const shadow = await fs.readFile('/etc/shadow', 'utf8');
      const uids = new Set<number>();
      for (const n of batch) {
        const user = await lookupUser(driver.siteUser(n) as string);
        t.ok(user && user.uid >= SITE_ID_MIN && user.uid <= SITE_ID_MAX, `${n}: uid ${user?.uid} in the site band`);
        t.equal(user?.gid, user?.uid, 'own group with the same id');
        t.match(shadow, new RegExp(`^${driver.siteUser(n) as string}:!:`, 'm'), 'no password: the account is locked');
        uids.add(user?.uid ?? -1);
        const public_ = path.join(root, 'sites', n, 'public');
        await fs.writeFile(path.join(public_, 'uid.php'), '<?php echo posix_geteuid();');
        t.equal((await get(port, `${n}.example.test`, '/uid.php')).body, String(user?.uid), 'PHP runs as it');
      }
      t.equal(uids.size, batch.length, 'every site its own uid');
    },
  );

  t.test('suspend answers 503 on every path; re-apply brings the content back', async (t) => {
    const n = name('susp');
    const spec = site(n);
    const applied = await driver.apply(spec);
    await fs.writeFile(path.join(applied.documentRoot, 'index.html'), 'open for business');
    await driver.suspend(spec);
    for (const p of ['/', '/index.html', '/deep/path?x=1']) {
      const res = await get(port, `${n}.example.test`, p);
      t.equal(res.status, 503, `503 for ${p}`);
      t.match(res.body, /Website suspended/);
    }
    t.equal(await fs.readFile(path.join(applied.documentRoot, 'index.html'), 'utf8'), 'open for business', 'files kept');
    await driver.apply(spec);
    t.equal((await get(port, `${n}.example.test`)).body, 'open for business');
  });

  t.test('a throttled site sends each answer at its rate and serves its connections at once', async (t) => {
    const n = name('slow');
    const spec = site(n, { throttle: { bytesPerSecond: 64 * 1024, connections: 1 } });
    const applied = await driver.apply(spec);
    await fs.writeFile(path.join(applied.documentRoot, 'big.bin'), Buffer.alloc(256 * 1024, 7));
    const began = performance.now();
    const first = get(port, `${n}.example.test`, '/big.bin');
    // While the first download takes its time, a second request is over the site's connections.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await get(port, `${n}.example.test`, '/big.bin');
    const answer = await first;
    const seconds = (performance.now() - began) / 1000;
    t.equal(answer.status, 200);
    t.equal(answer.body.length, 256 * 1024, 'the whole file arrives');
    // 256 KiB at 64 KiB/s: four seconds, less the first buffer NGINX may send at once (~3 s seen).
    t.ok(seconds >= 2.5, `the download took ${seconds.toFixed(2)} s, at most 64 KiB/s`);
    t.equal(second.status, 503, 'a request beyond the site’s connections is refused');
    // Lifted: the same site without a throttle answers both at once.
    await driver.apply(site(n));
    const [a, b] = await Promise.all([get(port, `${n}.example.test`, '/big.bin'), get(port, `${n}.example.test`, '/big.bin')]);
    t.same([a.status, b.status], [200, 200], 'lifted: no connection limit');
  });

  t.test('a throttle out of bounds is refused', async (t) => {
    for (const throttle of [
      { bytesPerSecond: 10, connections: 1 },
      { bytesPerSecond: 1024.5, connections: 1 },
      { bytesPerSecond: 65536, connections: 0 },
      { bytesPerSecond: 65536, connections: 1e9 },
    ]) {
      await t.rejects(
        driver.apply(site(name('bad'), { throttle })),
        { code: 'WEBSERVER_ERR_CONFIG_REJECTED', message: /throttle\./ },
        JSON.stringify(throttle),
      );
    }
  });

  t.test('remove: the default server answers, files and user are gone, and it is idempotent', async (t) => {
    const n = name('gone');
    const spec = site(n, { kind: 'php', phpVersion: php });
    await driver.apply(spec);
    t.equal((await get(port, `${n}.example.test`)).status, 200);
    await driver.remove(spec);
    const res = await get(port, `${n}.example.test`);
    t.equal(res.status, 404);
    t.match(res.body, /No website here/);
    await t.rejects(fs.stat(path.join(root, 'sites', n)), { code: 'ENOENT' }, 'tree deleted');
    await t.rejects(fs.stat(path.join(root, 'nginx', 'sites', `${n}.conf`)), { code: 'ENOENT' }, 'config deleted');
    if (isRoot) t.equal(await lookupUser(driver.siteUser(n) as string), null, 'user deleted');
    await driver.remove(spec);
    t.pass('a second remove is fine');
  });

  t.test('remove with keepFiles keeps the tree', async (t) => {
    const n = name('keep');
    const spec = site(n);
    const applied = await driver.apply(spec);
    await driver.remove(spec, { keepFiles: true });
    const kept = await fs.stat(path.join(applied.documentRoot, 'index.html'));
    if (isRoot) t.equal(kept.uid, 0, 'kept files go to root: a future site reusing the uid must not own them');
    t.equal((await get(port, `${n}.example.test`)).status, 404);
    await fs.writeFile(path.join(applied.documentRoot, 'index.html'), 'kept content');
    await driver.apply(spec);
    t.equal((await get(port, `${n}.example.test`)).body, 'kept content', 'a re-created site takes its kept tree back');
    if (isRoot)
      t.equal(
        (await fs.stat(path.join(applied.documentRoot, 'index.html'))).uid,
        (await lookupUser(driver.siteUser(n) as string))?.uid,
      );
    await driver.remove(spec, { keepFiles: true });
    await fs.rm(path.join(root, 'sites', n), { recursive: true });
  });

  t.test('bad extraDirectives reject only that site; the others of the batch are served', async (t) => {
    const good1 = name('good');
    const good2 = name('good');
    const bad = name('bad');
    const previous = site(bad);
    await driver.apply(previous);
    const before = await fs.readFile(path.join(root, 'nginx', 'sites', `${bad}.conf`), 'utf8');
    const results = await Promise.allSettled([
      driver.apply(site(good1)),
      driver.apply({ ...previous, extraDirectives: 'this_is_not_a_directive on;' }),
      driver.apply(site(good2)),
    ]);
    t.equal(results[0]?.status, 'fulfilled');
    t.equal(results[2]?.status, 'fulfilled');
    const rejected = results[1];
    t.equal(rejected?.status, 'rejected');
    if (rejected?.status === 'rejected') {
      t.ok(SiteConfigRejected.is(rejected.reason), 'SiteConfigRejected');
      t.match((rejected.reason as Error).message, /unknown directive "this_is_not_a_directive"/);
      t.match((rejected.reason as { details: unknown }).details, { site: bad });
    }
    t.equal(await fs.readFile(path.join(root, 'nginx', 'sites', `${bad}.conf`), 'utf8'), before, 'last good config restored');
    t.equal((await get(port, `${good1}.example.test`)).status, 200);
    t.equal((await get(port, `${good2}.example.test`)).status, 200);
    t.equal((await get(port, `${bad}.example.test`)).status, 200, 'the bad site keeps its previous config');

    const fresh = name('newbad');
    await t.rejects(driver.apply(site(fresh, { extraDirectives: 'nonsense_directive;' })), {
      code: 'WEBSERVER_ERR_CONFIG_REJECTED',
    });
    await t.rejects(
      fs.stat(path.join(root, 'nginx', 'sites', `${fresh}.conf`)),
      { code: 'ENOENT' },
      'a new rejected site leaves no config',
    );
    t.equal((await get(port, `${fresh}.example.test`)).status, 404);
    const ok = await driver.apply(site(fresh, { extraDirectives: 'add_header X-Extra yes;' }));
    t.ok(ok, 'valid extra directives apply');
    t.equal((await get(port, `${fresh}.example.test`)).headers['x-extra'], 'yes');
  });

  t.test('hostile input is refused before any file is written', async (t) => {
    const n = name('hostile');
    const bad: Array<[string, Partial<ReturnType<typeof site>>]> = [
      ['newline in a domain', { domains: ['a.example.test\nlisten 80'] }],
      ['semicolon in a domain', { domains: ['a.example.test;'] }],
      ['unicode lookalike', { domains: ['аpple.example.test'] }],
      ['path in a name', { name: '../etc' }],
      ['upper case name', { name: 'Shop' }],
      ['braces in extra directives', { extraDirectives: '} server { listen 81; ' }],
      ['unknown PHP version', { kind: 'php', phpVersion: '5.6' }],
    ];
    for (const [label, overrides] of bad) {
      await t.rejects(driver.apply(site(n, overrides)), { code: 'WEBSERVER_ERR_CONFIG_REJECTED' }, label);
    }
    await t.rejects(fs.stat(path.join(root, 'sites', n)), { code: 'ENOENT' });
  });

  t.test('re-applying an unchanged site changes no file and costs no reload', async (t) => {
    const n = name('idem');
    const spec = site(n, { kind: 'php', phpVersion: php });
    await driver.apply(spec);
    const files = await listFiles(root);
    const reloads = (await driver.status()).reloads;
    await driver.apply(spec);
    t.equal((await driver.status()).reloads, reloads, 'no reload');
    t.same(await listFiles(root), files, 'no file changed');
  });

  t.test('reload() checks and reloads now', async (t) => {
    const reloads = (await driver.status()).reloads;
    await driver.reload();
    t.equal((await driver.status()).reloads, reloads + 1);
  });

  t.test('a stopped driver refuses work with WebServerUnavailable', async (t) => {
    const other = await makeDriver({ root: path.join(root, 'never-started') });
    await t.rejects(other.apply(site(name('x'))), { code: WebServerUnavailable.code });
    t.equal((await other.status()).state, 'degraded');
  });
}
