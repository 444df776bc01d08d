// The file manager API on real sites served by NGINX + PHP-FPM (webserver-nginx): a PHP file
// uploaded through the API is served at the site's address, every operation works as the site's
// user, and every way out of the site is refused with a clear 400 (the list: `../`,
// absolute paths, symlinks pointing outside, NUL bytes, Unicode look-alikes) while nothing
// outside is read or touched.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import nginx from '@hostplane/plugin-webserver-nginx';
import websites from '../src/index.js';
import {
  caller,
  checkAuthorizationTable,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, get, isRoot, removeUsers, systemMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from './helpers.js';
import { makeZip, type FixtureEntry } from './zip-fixtures.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, `real nginx + php-fpm: ${missing}`);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }],
    config: { 'webserver-nginx': { root, httpPort: port, workerProcesses: 1 } },
  });
  const sql = sqlOf(host);
  const names: string[] = [];
  // Something outside every site that no request may read or change.
  const outside = join(root, 'outside-secret.txt');
  const SECRET = `never-shown-${randomUUID()}`;
  await writeFile(outside, SECRET);
  t.teardown(async () => {
    await sql.destroy();
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(root);
    await removeUsers(names);
    await rm(root, { recursive: true, force: true });
  });

  const { admin, customerA, customerB, actors } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const asA = caller(host, customerA);
  const pkg = (
    await asAdmin.post(
      '/v1/packages',
      packageBody({
        features: { php_versions: ['8.2'], upload_max_mb: 1 },
        limits: { ...packageBody().limits, websites: 5, domains: 5 },
      }),
    )
  ).body;
  const subs: Record<Which, string> = {
    own: (await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' })).body
      .id,
    foreign: (await asAdmin.post('/v1/subscriptions', { customerId: customerB.id, packageId: pkg.id, billingCycle: 'monthly' }))
      .body.id,
  };
  const tag = randomUUID().slice(0, 6);
  async function site(which: Which) {
    const res = await asAdmin.post('/v1/websites', {
      domain: `files-${which}-${tag}.example.test`,
      kind: 'php',
      subscriptionId: subs[which],
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    names.push(res.body.name);
    return eventually(async () => {
      const s = (await asAdmin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(s.statusReason);
      return s.status === 'active' && s.converged
        ? (s as { id: string; domain: string; documentRoot: string; name: string })
        : undefined;
    }, 30_000);
  }
  const sites = { own: await site('own'), foreign: await site('foreign') };
  const files = (which: Which, p: string, sub = '') =>
    `/v1/websites/${sites[which].id}/files${sub}?path=${encodeURIComponent(p)}`;

  await t.test('an index.php uploaded through the API is served at the site’s address, owned by the site’s user', async (t) => {
    const up = await asA.call('PUT', files('own', 'index.php', '/content'), { content: "<?php echo 'uploaded ', 6 * 7;" });
    t.equal(up.status, 200, JSON.stringify(up.body));
    t.match(up.body, { name: 'index.php', type: 'file', mode: '0640' });
    const page = await eventually(async () => {
      const res = await get(port, sites.own.domain);
      return res.body === 'uploaded 42' ? res : undefined;
    }, 10_000);
    t.equal(page.status, 200);
    if (isRoot) {
      const st = await stat(join(sites.own.documentRoot, 'index.php'));
      t.not(st.uid, 0, 'not owned by root: written as the site user');
      t.equal(st.uid, (await stat(sites.own.documentRoot)).uid, 'the owner of the site’s tree');
    }
  });

  await t.test('list, read, mkdir, rename, chmod and delete', async (t) => {
    t.equal((await asA.post(files('own', 'assets'), { action: 'mkdir' })).status, 200);
    t.equal((await asA.post(files('own', 'assets'), { action: 'mkdir' })).body.error.details.reason, 'exists');
    t.equal(
      (await asA.call('PUT', files('own', 'assets/a.txt', '/content'), { content: 'aGVsbG8=', encoding: 'base64' })).status,
      200,
    );
    const listing = await asA.get(files('own', 'assets'));
    t.equal(listing.status, 200);
    t.same(
      listing.body.entries.map((e: { name: string }) => e.name),
      ['a.txt'],
    );
    const read = await asA.get(files('own', 'assets/a.txt', '/content'));
    t.match(read.body, { encoding: 'utf8', content: 'hello', entry: { size: 5 } });
    const moved = await asA.post(files('own', 'assets/a.txt'), { action: 'rename', to: 'b.txt' });
    t.equal(moved.status, 200);
    t.equal((await asA.get(files('own', 'b.txt', '/content'))).body.content, 'hello');
    t.equal((await asA.get(files('own', 'assets/a.txt', '/content'))).status, 404);
    const chmod = await asA.post(files('own', 'b.txt'), { action: 'chmod', mode: '0600' });
    t.equal(chmod.body.mode, '0600');
    t.equal((await asA.post(files('own', 'b.txt'), { action: 'chmod', mode: '4755' })).status, 400, 'no setuid');
    const root_ = await asA.get(files('own', ''));
    t.ok(root_.body.entries.some((e: { name: string }) => e.name === 'b.txt'));
    t.equal((await asA.del(files('own', 'assets'))).status, 204);
    t.equal((await asA.del(files('own', 'b.txt'))).status, 204);
    t.equal((await asA.del(files('own', ''))).status, 400, 'not the root itself');
    const binary = await asA.call('PUT', files('own', 'x.bin', '/content'), {
      content: Buffer.from([0, 1, 255]).toString('base64'),
      encoding: 'base64',
    });
    t.equal(binary.status, 200);
    t.match((await asA.get(files('own', 'x.bin', '/content'))).body, { encoding: 'base64', content: 'AAH/' });
  });

  await t.test('the package’s upload limit holds', async (t) => {
    const big = await asA.call('PUT', files('own', 'big.bin', '/content'), {
      content: Buffer.alloc(1024 * 1024 + 1).toString('base64'),
      encoding: 'base64',
    });
    t.equal(big.status, 400);
    t.equal(big.body.error.code, 'WEBSITES_ERR_FILE_TOO_LARGE');
    t.notOk(existsSync(join(sites.own.documentRoot, 'big.bin')));
  });

  await t.test('every way out of the site is refused, and nothing outside is read or touched', async (t) => {
    const publicDir = sites.own.documentRoot;
    const modeBefore = (await stat(outside)).mode;
    await mkdir(join(publicDir, 'inner'), { recursive: true });
    await symlink(root, join(publicDir, 'escape'));
    await symlink(outside, join(publicDir, 'secret-link'));
    await symlink('inner', join(publicDir, 'inside-link'));
    const refusals: Array<[string, string, string, unknown?]> = [
      ['GET', '../outside-secret.txt', '/content'],
      ['GET', 'inner/../../outside-secret.txt', '/content'],
      ['GET', '/etc/passwd', '/content'],
      ['GET', 'index.php\u0000.txt', '/content'],
      ['GET', '\uFF0E\uFF0E/outside-secret.txt', '/content'],
      ['GET', '..\u2215outside-secret.txt', '/content'],
      ['GET', '..\\outside-secret.txt', '/content'],
      ['GET', 'secret-link', '/content'],
      ['GET', 'escape', ''],
      ['GET', 'escape/outside-secret.txt', '/content'],
      ['PUT', 'secret-link', '/content', { content: 'overwritten' }],
      ['PUT', 'escape/new.txt', '/content', { content: 'x' }],
      ['POST', 'escape/newdir', '', { action: 'mkdir' }],
      ['POST', 'index.php', '', { action: 'rename', to: '../moved.php' }],
      ['POST', 'index.php', '', { action: 'rename', to: 'escape/moved.php' }],
      ['POST', 'secret-link', '', { action: 'chmod', mode: '0777' }],
      ['DELETE', 'escape/outside-secret.txt', ''],
    ];
    for (const [method, p, sub, payload] of refusals) {
      const res = await asA.call(method, files('own', p, sub), payload);
      t.equal(res.status, 400, `${method} ${JSON.stringify(p)} → ${JSON.stringify(res.body)}`);
      t.ok(
        res.body?.error?.code === 'WEBSERVER_ERR_FILE_REFUSED' || res.body?.error?.code === 'HOST_ERR_VALIDATION',
        'a clear code',
      );
      t.notOk(JSON.stringify(res.body).includes(SECRET), 'no content from outside');
    }
    t.equal(await readFile(outside, 'utf8'), SECRET, 'outside untouched');
    t.ok(existsSync(join(publicDir, 'index.php')), 'not moved');
    t.equal((await stat(outside)).mode, modeBefore, 'mode untouched');
    // A link that stays inside is fine; deleting a link removes the link, not its target.
    t.equal((await asA.get(files('own', 'inside-link'))).status, 200);
    t.equal((await asA.del(files('own', 'secret-link'))).status, 204);
    t.equal(await readFile(outside, 'utf8'), SECRET, 'the link went, the file stayed');
  });

  const upload = (p: string, bytes: Buffer) =>
    asA.call('PUT', files('own', p, '/content'), { content: bytes.toString('base64'), encoding: 'base64' });

  await t.test('copy, zip and unzip, as the site user', async (t) => {
    await asA.post(files('own', 'kit'), { action: 'mkdir' });
    await asA.post(files('own', 'kit/css'), { action: 'mkdir' });
    await asA.call('PUT', files('own', 'kit/css/site.css', '/content'), { content: 'body{}' });
    await asA.call('PUT', files('own', 'kit/read me.txt', '/content'), { content: 'hello' });
    const copied = await asA.post(files('own', 'kit'), { action: 'copy', to: 'kit-copy' });
    t.equal(copied.status, 200, JSON.stringify(copied.body));
    t.equal((await asA.get(files('own', 'kit-copy/css/site.css', '/content'))).body.content, 'body{}');
    t.equal((await asA.post(files('own', 'kit/read me.txt'), { action: 'copy', to: 'one.txt' })).body.name, 'one.txt');
    t.equal((await asA.post(files('own', 'kit'), { action: 'copy', to: 'kit-copy' })).body.error.details.reason, 'exists');
    t.equal((await asA.post(files('own', 'kit'), { action: 'copy', to: 'kit/inner' })).body.error.details.reason, 'type');
    t.equal((await asA.post(files('own', 'nothing-here'), { action: 'copy', to: 'x' })).status, 404);

    const zipped = await asA.post(files('own', ''), { action: 'zip', names: ['kit', 'one.txt'], to: 'kit.zip' });
    t.equal(zipped.status, 200, JSON.stringify(zipped.body));
    t.match(zipped.body, { name: 'kit.zip', type: 'file', mode: '0640' });
    t.equal(
      (await asA.post(files('own', ''), { action: 'zip', names: ['kit'], to: 'kit.zip' })).body.error.details.reason,
      'exists',
    );
    t.equal((await asA.post(files('own', ''), { action: 'zip', names: ['nope'], to: 'n.zip' })).status, 404);
    t.equal((await asA.post(files('own', ''), { action: 'zip', names: ['../x'], to: 'n.zip' })).status, 400);

    const unzipped = await asA.post(files('own', 'kit.zip'), { action: 'unzip', to: 'restored' });
    t.equal(unzipped.status, 200, JSON.stringify(unzipped.body));
    t.match(unzipped.body, { path: 'restored', entries: 5, bytes: 16 });
    t.equal((await asA.get(files('own', 'restored/kit/css/site.css', '/content'))).body.content, 'body{}');
    t.equal((await asA.get(files('own', 'restored/kit/read me.txt', '/content'))).body.content, 'hello');
    t.equal((await asA.get(files('own', 'restored/one.txt', '/content'))).body.content, 'hello');
    const again = await asA.post(files('own', 'kit.zip'), { action: 'unzip', to: 'restored' });
    t.equal(again.body.error?.details?.reason, 'exists', 'an existing name is never overwritten');
    if (isRoot) {
      const st = await stat(join(sites.own.documentRoot, 'restored/kit/css/site.css'));
      t.equal(st.uid, (await stat(sites.own.documentRoot)).uid, 'written as the site user');
      t.equal(st.gid, (await stat(sites.own.documentRoot)).gid, 'the web server’s group, so NGINX can serve it');
    }
    // Parallel requests for the same name: one wins, the others are refused, nothing is replaced.
    const racers = await Promise.all([
      ...[1, 2, 3].map(() => asA.post(files('own', 'kit.zip'), { action: 'unzip', to: 'raced' })),
      ...[1, 2, 3].map(() => asA.post(files('own', 'kit'), { action: 'copy', to: 'kit-raced' })),
    ]);
    const statuses = racers.map((r) => (r.status === 200 ? 'ok' : r.body.error?.details?.reason));
    t.same(statuses.slice(0, 3).sort(), ['exists', 'exists', 'ok'], `one unzip wins: ${JSON.stringify(statuses)}`);
    t.same(statuses.slice(3).sort(), ['exists', 'exists', 'ok'], 'one copy wins');
    t.equal((await asA.get(files('own', 'raced/kit/css/site.css', '/content'))).body.content, 'body{}');
    t.same(
      (await readdir(sites.own.documentRoot)).filter((n) => n.startsWith('.hostplane-')),
      [],
      'no scratch entry left',
    );
    // Copy and zip leave links out of what they follow: a link out is copied as a link, never its target.
    await symlink(outside, join(sites.own.documentRoot, 'kit', 'out-link'));
    t.equal((await asA.post(files('own', 'kit'), { action: 'copy', to: 'kit-2' })).status, 200);
    const zip2 = await asA.post(files('own', ''), { action: 'zip', names: ['kit'], to: 'kit2.zip' });
    t.equal(zip2.status, 200);
    const raw = await readFile(join(sites.own.documentRoot, 'kit2.zip'));
    t.notOk(raw.includes(SECRET), 'the zip holds nothing from outside');
    t.notOk(raw.includes('out-link'), 'links are left out');
  });

  await t.test('unzip refuses every attack with a clear 400 and writes nothing', async (t) => {
    const doc = sites.own.documentRoot;
    const before = (await readdir(doc)).sort();
    const good: FixtureEntry = { name: 'fine.txt', data: Buffer.from('fine') };
    const cases: Array<[string, FixtureEntry[] | Buffer, string, string?]> = [
      ['zip-slip', [good, { name: '../evil.txt', data: Buffer.from('x') }], 'archive'],
      ['zip-slip inside a folder', [good, { name: 'a/../../evil.txt', data: Buffer.from('x') }], 'archive'],
      ['absolute path', [good, { name: '/tmp/evil.txt', data: Buffer.from('x') }], 'archive'],
      ['backslash', [good, { name: '..\\evil.txt', data: Buffer.from('x') }], 'archive'],
      ['NUL byte', [good, { name: 'evil.php\u0000.txt', data: Buffer.from('x') }], 'archive'],
      ['look-alike dots', [good, { name: '\uFF0E\uFF0E/evil.txt', data: Buffer.from('x') }], 'archive'],
      ['huge name', [good, { name: 'x'.repeat(300), data: Buffer.from('x') }], 'archive'],
      ['symlink entry', [good, { name: 'link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }], 'archive'],
      ['device entry', [good, { name: 'dev', unixMode: 0o020666 }], 'archive'],
      ['the same name twice', [good, { name: 'fine.txt', data: Buffer.from('again') }], 'archive'],
      ['a file that is also a folder', [good, { name: 'fine.txt/x', data: Buffer.from('x') }], 'archive'],
      [
        'a size that lies (zip bomb)',
        [good, { name: 'bomb', data: Buffer.alloc(4 * 1024 * 1024), declaredSize: 10, deflate: true }],
        'archive',
      ],
      [
        'too large declared',
        [good, { name: 'big', data: Buffer.from('x'), declaredSize: 600 * 1024 * 1024, deflate: true }],
        'too-large',
      ],
      ['too many entries', Array.from({ length: 10_001 }, (_, i) => ({ name: `m/${i}` })), 'too-many'],
      ['not a zip', Buffer.from('this is no zip archive at all, just text'), 'archive'],
      ['overwrites an existing file', [good, { name: 'index.php', data: Buffer.from('<?php echo "owned";') }], 'exists'],
      ['writes through an existing link out', [good, { name: 'escape/evil.txt', data: Buffer.from('x') }], 'exists'],
      ['a destination that leads outside', [good], 'outside', 'escape'],
      ['a destination through a link out', [good], 'outside', 'escape/deeper'],
    ];
    for (const [what, entries, reason, to] of cases) {
      const archive = `attack-${reason}.zip`;
      const up = await upload(archive, Buffer.isBuffer(entries) ? entries : makeZip(entries));
      t.equal(up.status, 200, `${what}: uploaded`);
      const res = await asA.post(files('own', archive), { action: 'unzip', to: to ?? '' });
      t.equal(res.status, 400, `${what} → ${JSON.stringify(res.body)}`);
      t.equal(res.body.error?.code, 'WEBSERVER_ERR_FILE_REFUSED', `${what}: the code`);
      t.equal(res.body.error?.details?.reason, reason, `${what}: the reason`);
      await asA.del(files('own', archive));
      t.same((await readdir(doc)).sort(), before, `${what}: nothing written, no scratch folder left`);
    }
    t.notOk(existsSync(join(root, 'evil.txt')), 'nothing outside the site');
    t.notOk(existsSync('/tmp/evil.txt'));
    t.equal(await readFile(outside, 'utf8'), SECRET, 'outside untouched');
    t.equal(
      (await asA.post(files('own', 'kit'), { action: 'unzip', to: '' })).body.error?.details?.reason,
      'type',
      'a folder is no archive',
    );
    const into = await asA.post(files('own', 'kit.zip'), { action: 'unzip', to: 'nowhere/deep' });
    t.equal(into.status, 404, 'the destination’s parent must exist');
  });

  await t.test('chmod keeps modes sane', async (t) => {
    await asA.call('PUT', files('own', 'm.txt', '/content'), { content: 'x' });
    for (const mode of ['0666', '0646', '0664', '0777', '2755', '1777']) {
      const res = await asA.post(files('own', 'm.txt'), { action: 'chmod', mode });
      t.equal(res.status, 400, `${mode} refused`);
    }
    t.equal((await asA.post(files('own', 'm.txt'), { action: 'chmod', mode: '0644' })).body.mode, '0644');
    if (isRoot) {
      const res = await asA.post(files('own', 'kit'), { action: 'chmod', mode: '0750' });
      t.equal(res.body.error?.details?.reason, 'mode', 'a folder keeps the web server’s setgid group');
      t.equal(((await stat(join(sites.own.documentRoot, 'kit'))).mode & 0o7777).toString(8), '2750');
    }
  });

  await t.test('copy, zip and unzip on another customer’s site are 404', async (t) => {
    await asAdmin.call('PUT', files('foreign', 'f.txt', '/content'), { content: 'theirs' });
    for (const body of [
      { action: 'copy', to: 'g.txt' },
      { action: 'zip', names: ['f.txt'], to: 'f.zip' },
      { action: 'unzip', to: '' },
    ]) {
      const res = await asA.post(files('foreign', body.action === 'zip' ? '' : 'f.txt'), body);
      t.equal(res.status, 404, `${body.action}: ${JSON.stringify(res.body)}`);
    }
  });

  const same = (code: number): [number, number] => [code, code];
  const fresh = async (w: Which) => {
    const name = `t-${randomUUID().slice(0, 8)}.txt`;
    const res = await asAdmin.call('PUT', files(w, name, '/content'), { content: 'x' });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return name;
  };
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/websites/{id}/files': {
      make: async (w) => ({ url: files(w, '') }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'GET /v1/websites/{id}/files/content': {
      make: async (w) => ({ url: files(w, await fresh(w), '/content') }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'PUT /v1/websites/{id}/files/content': {
      make: async (w) => ({ url: files(w, `n-${randomUUID().slice(0, 8)}.txt`, '/content'), payload: { content: 'x' } }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'POST /v1/websites/{id}/files': {
      make: async (w) => ({ url: files(w, `d-${randomUUID().slice(0, 8)}`), payload: { action: 'mkdir' } }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'DELETE /v1/websites/{id}/files': {
      make: async (w) => ({ url: files(w, await fresh(w)) }),
      expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
    },
  };
  checkAuthorizationTable(t, host, actors, /^\/v1\/websites\/\{id\}\/files/, TABLE);
}
