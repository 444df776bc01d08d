/**
 * SFTP end to end with the real `sftp` client against the managed sshd: uploads land as the
 * site's user with the site's modes, nothing outside the site can be reached, wrong passwords
 * and keys are refused, another site's account sees nothing of this site, deleted accounts and
 * suspended sites lose access, and the per-site cap holds against parallel creates.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startStack, stackMissing } from './stack.js';
import { get } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real sshd + sftp client: ${missing}`);
} else {
  // Real daemons, system users and site convergence: more than the suite's 120 s on a busy machine.
  t.setTimeout(360_000);
  const stack = await startStack(t, { sftp: { accountsPerSite: 3 } });
  const { admin, sftpRun } = stack;
  const own = stack.caller(stack.trees.customerA);
  const siteA = await stack.site('own');
  const siteB = await stack.site('foreign');
  const keyA = await stack.keyPair();
  const url = (site: { id: string }) => `/v1/websites/${site.id}/sftp-accounts`;

  const created = await own.post(url(siteA), { name: 'deploy', publicKeys: [keyA.publicKey] });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const account = created.body;
  const upload = path.join(stack.base, 'client', 'upload.txt');
  await fs.writeFile(upload, 'hello over sftp\n', { mode: 0o644 });

  t.test('an upload lands in the site owned by the site user with the site’s modes', async (t) => {
    t.equal(account.login, `${siteA.name}_deploy`);
    t.equal(account.port, stack.sftpPort);
    t.same(account.publicKeys.length, 1);
    t.notOk(account.passwordSet);
    t.notOk('password' in account, 'no password made when keys were given');
    const r = await sftpRun(account.login, { key: keyA.file }, [
      `put ${upload} public/hello.txt`,
      'mkdir public/assets',
      `put ${upload} public/assets/a.txt`,
      'pwd',
    ]);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, new RegExp(`Remote working directory: /${siteA.name}`), 'starts in the site’s folder');
    const file = await fs.stat(path.join(siteA.publicDir, 'hello.txt'));
    const publicDir = await fs.stat(siteA.publicDir);
    const siteDir = await fs.stat(siteA.dir);
    t.equal(file.uid, siteDir.uid, 'owned by the site user');
    t.not(file.uid, 0);
    t.equal(file.gid, publicDir.gid, 'the web server’s group (setgid document root)');
    t.equal(file.mode & 0o7777, 0o640);
    const dir = await fs.stat(path.join(siteA.publicDir, 'assets'));
    t.equal(dir.mode & 0o7777, 0o2750);
    t.equal((await fs.stat(path.join(siteA.publicDir, 'assets', 'a.txt'))).uid, siteDir.uid);
    // NGINX serves it.
    const site = (await admin.get(`/v1/websites/${siteA.id}`)).body;
    const served = await get(stack.httpPort, site.domain, '/hello.txt');
    t.equal(served.status, 200);
    t.equal(served.body, 'hello over sftp\n');
  });

  t.test('../ and absolute paths cannot leave the chroot, and the chroot shows no other site', async (t) => {
    const secret = path.join(path.dirname(stack.base), `outside-${path.basename(stack.base)}.txt`);
    await fs.writeFile(secret, 'outside', { mode: 0o644 });
    t.teardown(() => fs.rm(secret, { force: true }));
    const local = path.join(stack.base, 'client');
    const r = await sftpRun(account.login, { key: keyA.file }, [
      `get /etc/passwd ${local}/got-passwd`,
      `get ../../../../etc/passwd ${local}/got-passwd2`,
      `get ${secret} ${local}/got-secret`,
      `get /${siteB.name}/public/index.html ${local}/got-b`,
      `get ../${siteB.name}/public/index.html ${local}/got-b2`,
      'ls /',
      `ls /${siteB.name}`,
      `put ${upload} /planted.txt`,
      `put ${upload} ../planted2.txt`,
      `symlink /etc/passwd public/link`,
      `get public/link ${local}/got-link`,
    ]);
    for (const name of ['got-passwd', 'got-passwd2', 'got-secret', 'got-b', 'got-b2', 'got-link']) {
      t.notOk(
        await fs.stat(path.join(local, name)).then(
          () => true,
          () => false,
        ),
        `${name} was not downloaded`,
      );
    }
    t.match(r.stderr, /readdir\("\/"\): Permission denied/, 'the root of the chroot cannot be listed');
    t.match(r.stderr, new RegExp(`/${siteB.name}.*Permission denied`), 'the other site’s folder cannot be entered');
    const sitesDir = path.dirname(siteA.dir);
    t.notOk(
      await fs.stat(path.join(sitesDir, 'planted.txt')).then(
        () => true,
        () => false,
      ),
      'nothing written at the chroot’s root',
    );
    t.notOk(
      await fs.stat(path.join(sitesDir, 'planted2.txt')).then(
        () => true,
        () => false,
      ),
    );
  });

  t.test('a password account logs in; wrong passwords and keys are refused', async (t) => {
    const res = await own.post(url(siteA), { name: 'editor' });
    t.equal(res.status, 201, JSON.stringify(res.body));
    t.equal(typeof res.body.password, 'string', 'a generated password is shown once');
    t.ok(res.body.passwordSet);
    const got = await own.get(`${url(siteA)}/${res.body.id}`);
    t.notOk('password' in got.body, 'and never again');
    const ok = await sftpRun(res.body.login, { password: res.body.password }, ['pwd']);
    t.equal(ok.code, 0, ok.stderr);
    const wrong = await sftpRun(res.body.login, { password: `${res.body.password}x` }, ['pwd']);
    t.not(wrong.code, 0);
    t.match(wrong.stderr, /Permission denied/);
    const otherKey = await stack.keyPair();
    const wrongKey = await sftpRun(account.login, { key: otherKey.file }, ['pwd']);
    t.not(wrongKey.code, 0);
    t.match(wrongKey.stderr, /Permission denied/);
    // Password login for a keys-only account fails too.
    const noPassword = await sftpRun(account.login, { password: 'whatever-password-1' }, ['pwd']);
    t.not(noPassword.code, 0);
    // A changed password: the old one stops working.
    const changed = await own.patch(`${url(siteA)}/${res.body.id}`, { password: 'a-new-Passw0rd-long' });
    t.equal(changed.status, 200, JSON.stringify(changed.body));
    t.not((await sftpRun(res.body.login, { password: res.body.password }, ['pwd'])).code, 0);
    t.equal((await sftpRun(res.body.login, { password: 'a-new-Passw0rd-long' }, ['pwd'])).code, 0);
  });

  t.test('another site’s account cannot see this site', async (t) => {
    const keyB = await stack.keyPair();
    const b = await admin.post(url(siteB), { name: 'other', publicKeys: [keyB.publicKey] });
    t.equal(b.status, 201, JSON.stringify(b.body));
    const local = path.join(stack.base, 'client');
    const r = await sftpRun(b.body.login, { key: keyB.file }, [
      `ls /${siteA.name}`,
      `get /${siteA.name}/public/hello.txt ${local}/stolen`,
      `put ${upload} /${siteA.name}/public/defaced.txt`,
      'pwd',
    ]);
    t.match(r.stdout, new RegExp(`Remote working directory: /${siteB.name}`));
    t.match(r.stderr, /Permission denied/);
    t.notOk(
      await fs.stat(path.join(local, 'stolen')).then(
        () => true,
        () => false,
      ),
    );
    t.notOk(
      await fs.stat(path.join(siteA.publicDir, 'defaced.txt')).then(
        () => true,
        () => false,
      ),
    );
    // Nor can the customer of site A use site B's account, or list its accounts.
    t.equal((await own.get(url(siteB))).status, 404);
  });

  t.test('bad input is refused with 4xx', async (t) => {
    const cases: Array<[unknown, number, string]> = [
      [{ name: 'Bad' }, 400, 'upper case'],
      [{ name: 'a\u0000b' }, 400, 'NUL byte'],
      [{ name: 'x'.repeat(17) }, 400, 'too long'],
      [{ name: 'short', password: 'short' }, 400, 'short password'],
      [{ name: 'ctrl', password: 'abcdefghijkl\nmnop' }, 400, 'newline in password'],
      [{ name: 'opts', publicKeys: [`command="/bin/sh" ${keyA.publicKey}`] }, 400, 'authorized_keys options'],
      [{ name: 'junk', publicKeys: ['ssh-ed25519 AAAA'] }, 400, 'truncated key'],
      [{ name: 'twoline', publicKeys: [`${keyA.publicKey}\nssh-ed25519 AAAAC3Nza`] }, 400, 'two lines'],
      [{ name: 'x', extra: 1 }, 400, 'unknown field'],
      [{ name: 'deploy', publicKeys: [keyA.publicKey] }, 409, 'same name again'],
    ];
    for (const [body, status, why] of cases) {
      const res = await own.post(url(siteA), body);
      t.equal(res.status, status, `${why}: ${JSON.stringify(res.body)}`);
      t.ok(res.body.error?.code, why);
    }
    t.equal((await own.post('/v1/websites/00000000-0000-4000-8000-000000000000/sftp-accounts', { name: 'x' })).status, 404);
  });

  t.test('parallel creates cannot exceed the per-site cap', async (t) => {
    const siteC = await stack.site('own');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => own.post(url(siteC), { name: `p${i}`, password: `parallel-password-${i}` })),
    );
    const codes = results.map((r) => r.status).sort();
    t.same(codes, [201, 201, 201, 409, 409, 409], JSON.stringify(results.map((r) => r.body)));
    t.ok(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'SFTP_ERR_TOO_MANY'));
    t.equal((await own.get(url(siteC))).body.items.length, 3);
  });

  t.test('a deleted account and the accounts of a suspended site cannot log in', async (t) => {
    const key = await stack.keyPair();
    const res = await own.post(url(siteA), { name: 'temp', publicKeys: [key.publicKey] });
    t.equal(res.status, 201);
    t.equal((await sftpRun(res.body.login, { key: key.file }, ['pwd'])).code, 0);
    t.equal((await own.del(`${url(siteA)}/${res.body.id}`)).status, 204);
    t.not((await sftpRun(res.body.login, { key: key.file }, ['pwd'])).code, 0, 'deleted: refused');
    const passwd = await fs.readFile('/etc/passwd', 'utf8');
    t.notOk(
      passwd.split('\n').some((l) => l.startsWith(`${res.body.login}:`)),
      'its system user is gone',
    );

    t.equal((await admin.post(`/v1/websites/${siteA.id}/suspend`, { reason: 'test' })).status < 300, true);
    await eventually(
      async () => {
        const r = await sftpRun(account.login, { key: keyA.file }, ['pwd']);
        return r.code !== 0 ? true : undefined;
      },
      30_000,
      300,
    );
    t.pass('suspended: refused');
    t.equal((await own.get(`${url(siteA)}/${account.id}`)).body.active, false);
    t.equal((await admin.post(`/v1/websites/${siteA.id}/unsuspend`, {})).status < 300, true);
    await eventually(
      async () => {
        const r = await sftpRun(account.login, { key: keyA.file }, ['pwd']);
        return r.code === 0 ? true : undefined;
      },
      30_000,
      300,
    );
    t.pass('active again: allowed');
  });
}
