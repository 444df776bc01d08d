/**
 * Backups and restores for real: restic on a temporary repository, a site served by real NGINX
 * with a tree of odd names (spaces, Unicode, newlines, glob characters), modes, symlinks and hard
 * links. A restore is compared with the original by a digest of every path, mode, owner and
 * content. Also: progress and stats, tags, the key escrow, and the 4xx answers.
 */
import t from 'tap';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startStack, stackMissing } from './stack.js';
import { treeDigest, treeLines, writeOddTree } from './tree.js';

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  const stack = await startStack(t);
  const { admin, trees, finished, restored } = stack;
  const alice = stack.caller(trees.customerA);
  const bob = stack.caller(trees.customerB);
  const site = await stack.site('own');
  const owner = await fs.stat(site.publicDir);
  const siteOwner = { uid: owner.uid, gid: owner.gid, userGid: (await fs.stat(path.join(site.dir, 'app'))).gid };
  await writeOddTree(site.publicDir, siteOwner);
  const skip = ['logs', 'tmp'];
  const original = await treeDigest(site.dir, siteOwner, skip);
  const originalLines = await treeLines(site.dir, siteOwner, skip);
  let backupId = '';

  t.test('a backup that fails for good mails the owner once, in its reseller’s name', async (t) => {
    const gone = await stack.site('own');
    // Files the web server cannot find: the run fails with a 409, which is not retried.
    const away = `${gone.dir}.away`;
    await fs.rename(gone.dir, away);
    t.teardown(() => fs.rename(away, gone.dir).catch(() => undefined));
    const res = await alice.post('/v1/backups', { websiteId: gone.id });
    t.equal(res.status, 202, JSON.stringify(res.body));
    const done = await finished(alice, res.body.id);
    t.equal(done.status, 'failed');
    const mails = await stack
      .sql('hostplane.outbox')
      .where({ tag: 'backups.backup-failed', to_address: trees.customerA.email })
      .select('subject', 'text_body', 'from_name', 'html_body');
    const mine = mails.filter((m: { text_body: string }) => m.text_body.includes(done.error.slice(0, 40)));
    t.equal(mine.length, 1, 'one mail');
    t.match(mine[0], { subject: /^The backup of .+ failed$/, from_name: /^reseller \d+$/ });
    t.match(mine[0].text_body, /requested backup of .+ failed and will not be tried again/);
    t.match(mine[0].html_body, /<!doctype html>/);
  });

  t.test('a backup runs as a job: progress, stats and a tagged snapshot', async (t) => {
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    t.equal(res.status, 202, JSON.stringify(res.body));
    t.match(res.body, { status: 'queued', websiteId: site.id, ownerId: trees.customerA.id, kind: 'files', trigger: 'manual' });
    const done = await finished(alice, res.body.id);
    t.equal(done.status, 'succeeded', done.error ?? '');
    t.ok(done.sizeBytes > 70_000, `size ${done.sizeBytes}`);
    t.ok(done.addedBytes > 0, 'added bytes');
    t.ok(done.files >= 10, `files ${done.files}`);
    t.ok(done.durationMs >= 0);
    t.match(done.progress, { percent: 100 });
    t.match(done.snapshotId, /^[0-9a-f]{64}$/);
    backupId = done.id;
    const snapshots = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `backup:${done.id}`]));
    t.equal(snapshots.length, 1);
    t.same(
      snapshots[0].tags.sort(),
      [`backup:${done.id}`, `customer:${trees.customerA.id}`, 'kind:files', `site:${site.id}`].sort(),
    );
    const listed = await stack.restic(['ls', done.snapshotId]);
    t.notMatch(listed, /\n\/logs\n/, 'logs are not backed up');
    t.equal(await treeDigest(site.dir, siteOwner, skip), original, 'backing up changes nothing');
  });

  t.test('the whole site restores byte-identical, with modes, links and the site user as owner', async (t) => {
    await fs.rm(path.join(site.publicDir, 'a dir with spaces'), { recursive: true });
    await fs.writeFile(path.join(site.publicDir, 'index.html'), 'defaced');
    await fs.writeFile(path.join(site.publicDir, 'extra.php'), '<?php evil();');
    await fs.chmod(path.join(site.publicDir, 'deep/er/still/script.sh'), 0o777);
    await fs.lchown(path.join(site.publicDir, 'empty-file'), 0, 0);
    const res = await alice.post(`/v1/backups/${backupId}/restore`, {});
    t.equal(res.status, 202, JSON.stringify(res.body));
    const done = await restored(alice, res.body.id);
    t.equal(done.status, 'succeeded', done.error ?? '');
    t.same(await treeLines(site.dir, siteOwner, skip), originalLines);
    t.equal(await treeDigest(site.dir, siteOwner, skip), original);
    const siblings = await fs.readdir(path.dirname(site.dir));
    t.notOk(
      siblings.some((n) => n.startsWith('.hp-restore-')),
      'no staging left behind',
    );
  });

  t.test('one path restores alone; the rest of the site is left as it is', async (t) => {
    await fs.writeFile(path.join(site.publicDir, 'ünïcödé ✓/日本語.txt'), 'changed');
    await fs.writeFile(path.join(site.publicDir, 'line\nbreak dir/new\nline.txt'), 'changed too');
    const res = await alice.post(`/v1/backups/${backupId}/restore`, { path: 'public/ünïcödé ✓' });
    t.equal(res.status, 202, JSON.stringify(res.body));
    t.equal((await restored(alice, res.body.id)).status, 'succeeded');
    t.equal(await fs.readFile(path.join(site.publicDir, 'ünïcödé ✓/日本語.txt'), 'utf8'), 'unicode\n');
    t.equal(await fs.readFile(path.join(site.publicDir, 'line\nbreak dir/new\nline.txt'), 'utf8'), 'changed too', 'untouched');
    const withGlob = await alice.post(`/v1/backups/${backupId}/restore`, { path: '/public/line\nbreak dir/new\nline.txt' });
    t.equal(withGlob.status, 202, JSON.stringify(withGlob.body));
    t.equal((await restored(alice, withGlob.body.id)).status, 'succeeded');
    // A path restored alone cannot share an inode with files outside it: hard-link groups aside,
    // every line under the two paths is the original's.
    const under = (lines: string[]) =>
      lines
        .filter((l) => l.startsWith('"public/ünïcödé ✓') || l.startsWith('"public/line\\nbreak dir'))
        .map((l) => l.replace(/ links=.*$/, ''));
    t.same(under(await treeLines(site.dir, siteOwner, skip)), under(originalLines));
    const star = await alice.post(`/v1/backups/${backupId}/restore`, { path: 'public/glob[1]*?/star*.txt' });
    t.equal(star.status, 202, 'glob characters in a real name are taken literally');
    t.equal((await restored(alice, star.body.id)).status, 'succeeded');
  });

  t.test('a restore into another site of the same customer gets that site’s owner', async (t) => {
    const second = await stack.site('own');
    const st = await fs.stat(second.publicDir);
    const secondOwner = { uid: st.uid, gid: st.gid, userGid: (await fs.stat(path.join(second.dir, 'app'))).gid };
    const res = await alice.post(`/v1/backups/${backupId}/restore`, { targetWebsiteId: second.id });
    t.equal(res.status, 202, JSON.stringify(res.body));
    t.equal((await restored(alice, res.body.id)).status, 'succeeded');
    t.same(await treeLines(second.dir, secondOwner, skip), originalLines, 'same tree, owned by the new site');
    if (process.getuid?.() === 0) t.not(secondOwner.uid, siteOwner.uid, 'each site has its own user');
  });

  t.test('a path through a symbolic link in the site is refused, not followed', async (t) => {
    const outside = await fs.mkdtemp(path.join(stack.root, 'outside-'));
    await fs.rm(path.join(site.publicDir, 'deep'), { recursive: true });
    await fs.symlink(outside, path.join(site.publicDir, 'deep'));
    const res = await alice.post(`/v1/backups/${backupId}/restore`, { path: 'public/deep/er/still/script.sh' });
    t.equal(res.status, 202);
    const done = await restored(alice, res.body.id, 90_000);
    t.equal(done.status, 'failed');
    t.match(done.error, /symbolic link/);
    t.same(await fs.readdir(outside), [], 'nothing written through the link');
    await fs.rm(path.join(site.publicDir, 'deep'));
    const whole = await alice.post(`/v1/backups/${backupId}/restore`, {});
    t.equal((await restored(alice, whole.body.id)).status, 'succeeded');
    t.equal(await treeDigest(site.dir, siteOwner, skip), original, 'a whole restore repairs it');
  });

  t.test('bad restores are clear 4xx answers', async (t) => {
    const bobSite = await stack.site('foreign');
    const cases: Array<[string, ReturnType<typeof stack.caller>, string, unknown, number, string]> = [
      ['another tenant’s backup', bob, `/v1/backups/${backupId}/restore`, {}, 404, 'BACKUPS_ERR_NOT_FOUND'],
      [
        'a backup that never existed',
        alice,
        `/v1/backups/00000000-0000-4000-8000-000000000000/restore`,
        {},
        404,
        'BACKUPS_ERR_NOT_FOUND',
      ],
      [
        '.. out of the site',
        alice,
        `/v1/backups/${backupId}/restore`,
        { path: 'public/../../etc/passwd' },
        400,
        'BACKUPS_ERR_PATH_INVALID',
      ],
      ['.. at the start', alice, `/v1/backups/${backupId}/restore`, { path: '../x' }, 400, 'BACKUPS_ERR_PATH_INVALID'],
      ['a NUL byte', alice, `/v1/backups/${backupId}/restore`, { path: 'public/a\u0000b' }, 400, 'HOST_ERR_VALIDATION'],
      ['only slashes', alice, `/v1/backups/${backupId}/restore`, { path: '///' }, 400, 'BACKUPS_ERR_PATH_INVALID'],
      [
        'the logs, never backed up',
        alice,
        `/v1/backups/${backupId}/restore`,
        { path: 'logs/access.log' },
        400,
        'BACKUPS_ERR_PATH_INVALID',
      ],
      [
        'a path not in the backup',
        alice,
        `/v1/backups/${backupId}/restore`,
        { path: 'public/nope.txt' },
        404,
        'BACKUPS_ERR_PATH_NOT_IN_SNAPSHOT',
      ],
      [
        'a foreign target site',
        alice,
        `/v1/backups/${backupId}/restore`,
        { targetWebsiteId: bobSite.id },
        404,
        'BACKUPS_ERR_WEBSITE_NOT_FOUND',
      ],
      [
        'another customer’s site, even for an admin',
        admin,
        `/v1/backups/${backupId}/restore`,
        { targetWebsiteId: bobSite.id },
        403,
        'BACKUPS_ERR_OTHER_OWNER',
      ],
      ['an unknown field', alice, `/v1/backups/${backupId}/restore`, { path: 'public', force: true }, 400, 'FST_ERR_VALIDATION'],
      ['backing up another tenant’s site', alice, '/v1/backups', { websiteId: bobSite.id }, 404, 'BACKUPS_ERR_WEBSITE_NOT_FOUND'],
    ];
    for (const [what, who, url, payload, status, code] of cases) {
      const res = await who.post(url, payload);
      t.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      if (code !== 'FST_ERR_VALIDATION') t.equal(res.body?.error?.code, code, what);
      else t.ok(res.body?.error?.code, what);
    }
  });

  t.test('a snapshot that no longer exists answers 410', async (t) => {
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    const done = await finished(alice, res.body.id);
    t.equal(done.status, 'succeeded');
    await stack.restic(['forget', done.snapshotId]);
    const gone = await alice.post(`/v1/backups/${done.id}/restore`, {});
    t.equal(gone.status, 410, JSON.stringify(gone.body));
    t.equal(gone.body.error.code, 'BACKUPS_ERR_SNAPSHOT_GONE');
  });

  t.test('key escrow: the sealed password opens the repository with plain restic', async (t) => {
    const raw = await stack.sql('hostplane.settings').where({ scope: 'secret:backups' }).select('key', 'value');
    t.equal(raw.length, 1);
    t.notMatch(JSON.stringify(raw[0].value), new RegExp(await stack.password()), 'stored sealed');
    const snapshots = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `site:${site.id}`]));
    t.ok(snapshots.length >= 1, 'plain restic lists the site’s snapshots');
    t.match(await stack.restic(['check']), /no errors were found/);
  });

  t.test('escrow commands: key-export, recovery-key, key-import', async (t) => {
    const run = async (name: string, args: string[] = []) => {
      let out = '';
      let err = '';
      const code = await stack.host.kernel.runCommand('backups', name, args, {
        out: (s: string) => (out += s),
        err: (s: string) => (err += s),
      });
      return { code, out, err };
    };
    const exported = await run('key-export');
    t.equal(exported.code, 0);
    t.match(exported.out, `RESTIC_REPOSITORY=${stack.repository}\n`);
    t.match(exported.out, `RESTIC_PASSWORD=${await stack.password()}\n`);
    const recovery = await run('recovery-key');
    t.equal(recovery.code, 0);
    const recoveryPassword = /shown once, write it down\): (\S+)/.exec(recovery.out)?.[1] ?? '';
    t.ok(recoveryPassword.length >= 24, 'a recovery password is printed');
    t.notOk(
      JSON.stringify(await stack.sql('hostplane.settings').where({ scope: 'secret:backups' })).includes(recoveryPassword),
      'and stored nowhere',
    );
    const saved = process.env.RESTIC_PASSWORD;
    try {
      process.env.RESTIC_PASSWORD = 'not-the-password';
      await t.rejects(
        run('key-import'),
        { code: 'BACKUPS_ERR_RESTIC' },
        'a password that does not open the repository is refused',
      );
      process.env.RESTIC_PASSWORD = recoveryPassword;
      t.equal((await run('key-import')).code, 0);
    } finally {
      if (saved === undefined) delete process.env.RESTIC_PASSWORD;
      else process.env.RESTIC_PASSWORD = saved;
    }
    t.equal(await stack.password(), recoveryPassword, 'the recovery key is now the repository password');
    t.ok(JSON.parse(await stack.restic(['snapshots', '--json'])).length >= 1, 'and it opens the repository');
  });
}
