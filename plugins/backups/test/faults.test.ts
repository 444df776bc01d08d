/**
 * Faults, with real restic slowed down by its own bandwidth limits so a run can be watched and
 * killed: progress moves; `kill -9` of restic mid-backup leaves a stale lock and no snapshot, and
 * the retry unlocks, succeeds and is the only snapshot listed; `kill -9` mid-restore is repaired by
 * the retry; one slot means one backup at a time; the package's limit and feature are enforced,
 * also against parallel requests.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeUser } from '../../accounts/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { startStack, stackMissing } from './stack.js';
import { treeLines } from './tree.js';

/** The pid of a running `restic <command>` whose command line contains `needle`, if any. */
async function resticWith(command: string, needle: string): Promise<number | undefined> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args[0] === '/usr/bin/restic' && args.includes(command) && cmdline.includes(needle)) return Number(entry);
  }
  return undefined;
}

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  // 24 MB at 8 MiB/s: about three seconds per backup or restore, long enough to watch and to
  // kill. (restic counts a file done once read; only past a few packs does the upload limit
  // hold the reading back, so a small tree would jump to 100 % and then wait.)
  const stack = await startStack(t, { backups: { concurrency: 1, limitUploadKiB: 8192, limitDownloadKiB: 8192 } });
  const { trees, finished, restored } = stack;
  const alice = stack.caller(trees.customerA);
  const site = await stack.site('own');
  await fs.writeFile(path.join(site.publicDir, 'noise.bin'), randomBytes(24 * 1024 * 1024));
  await fs.writeFile(path.join(site.publicDir, 'index.html'), 'hello');
  // Site files belong to the site's user (a restore gives them that owner whatever they had).
  const owner = await fs.stat(site.publicDir);
  for (const f of ['noise.bin', 'index.html']) await fs.chown(path.join(site.publicDir, f), owner.uid, owner.gid);

  t.test('progress moves while restic runs: percent, bytes, files, time left', async (t) => {
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    const seen = new Set<number>();
    let sample: Record<string, unknown> | null = null;
    await eventually(
      async () => {
        const b = (await alice.get(`/v1/backups/${res.body.id}`)).body;
        if (b.status === 'running' && b.progress) {
          seen.add(b.progress.bytesDone);
          sample = b.progress;
        }
        return b.status === 'succeeded' || b.status === 'failed' ? b : undefined;
      },
      60_000,
      150,
    );
    t.ok(seen.size >= 2, `several progress readings while running (${[...seen].join(', ')})`);
    t.match(sample, { bytesTotal: Number, filesTotal: Number, bytesDone: Number, filesDone: Number });
    t.ok(sample && 'etaSeconds' in sample, 'time left, once restic estimates it');
    t.equal((await finished(alice, res.body.id)).status, 'succeeded');
  });

  let killed = '';
  t.test('kill -9 mid-backup: the retry unlocks, succeeds, and no partial snapshot is listed', async (t) => {
    const before = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `site:${site.id}`])).length;
    await fs.writeFile(path.join(site.publicDir, 'more-noise.bin'), randomBytes(24 * 1024 * 1024));
    await fs.chown(path.join(site.publicDir, 'more-noise.bin'), owner.uid, owner.gid);
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    const pid = await eventually(() => resticWith('backup', `backup:${res.body.id}`), 30_000, 50);
    // Killed while it holds its lock: SIGKILL leaves the lock behind (restic cannot remove it).
    const locks = async () => (await stack.restic(['list', 'locks', '--no-lock'])).trim().split('\n').filter(Boolean).length;
    await eventually(async () => ((await locks()) >= 1 ? true : undefined), 30_000, 50);
    process.kill(pid, 'SIGKILL');
    const done = await finished(alice, res.body.id, 90_000);
    t.equal(done.status, 'succeeded', done.error ?? '');
    killed = done.id;
    const row = await stack.sql('plugin_backups.backups').where({ id: res.body.id }).first();
    t.equal(row.attempts, 2, 'the second attempt made it');
    t.equal(JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `backup:${res.body.id}`])).length, 1);
    t.equal(
      JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `site:${site.id}`])).length,
      before + 1,
      'nothing partial',
    );
    t.equal((await stack.restic(['list', 'locks', '--no-lock'])).trim(), '', 'no lock left');
    t.match(await stack.restic(['check']), /no errors were found/);
  });

  t.test('kill -9 mid-restore: the retry restores correctly', async (t) => {
    const latest = { id: killed };
    const siteOwner = { uid: owner.uid, gid: owner.gid, userGid: (await fs.stat(path.join(site.dir, 'app'))).gid };
    const original = await treeLines(site.dir, siteOwner, ['logs', 'tmp']);
    await fs.writeFile(path.join(site.publicDir, 'noise.bin'), 'overwritten');
    const res = await alice.post(`/v1/backups/${latest.id}/restore`, {});
    t.equal(res.status, 202);
    const pid = await eventually(() => resticWith('restore', `.hp-restore-${res.body.id}`), 30_000, 50);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(pid, 'SIGKILL');
    const done = await restored(alice, res.body.id, 90_000);
    t.equal(done.status, 'succeeded', done.error ?? '');
    t.same(await treeLines(site.dir, siteOwner, ['logs', 'tmp']), original);
  });

  t.test('one slot: backups of two sites run one after the other', async (t) => {
    const other = await stack.site('own');
    await fs.writeFile(path.join(other.publicDir, 'noise.bin'), randomBytes(512 * 1024));
    const [a, b] = await Promise.all([
      alice.post('/v1/backups', { websiteId: site.id }),
      alice.post('/v1/backups', { websiteId: other.id }),
    ]);
    let overlap = false;
    await eventually(
      async () => {
        const rows = await stack.sql('plugin_backups.backups').whereIn('id', [a.body.id, b.body.id]);
        if (rows.filter((r) => r.status === 'running').length > 1) overlap = true;
        return rows.every((r) => r.status === 'succeeded' || r.status === 'failed') ? rows : undefined;
      },
      90_000,
      100,
    );
    t.notOk(overlap, 'never two running at once');
    t.equal((await finished(alice, a.body.id)).status, 'succeeded');
    t.equal((await finished(alice, b.body.id)).status, 'succeeded');
  });

  t.test('cancel stops restic: no snapshot, no lock, and a second cancel is refused', async (t) => {
    await fs.writeFile(path.join(site.publicDir, 'cancelled-noise.bin'), randomBytes(24 * 1024 * 1024));
    await fs.chown(path.join(site.publicDir, 'cancelled-noise.bin'), owner.uid, owner.gid);
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    await eventually(() => resticWith('backup', `backup:${res.body.id}`), 30_000, 50);
    const cancelled = await alice.post(`/v1/backups/${res.body.id}/cancel`);
    t.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    t.equal(cancelled.body.status, 'cancelled');
    await eventually(async () => ((await resticWith('backup', `backup:${res.body.id}`)) ? undefined : true), 30_000, 100);
    t.equal(JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `backup:${res.body.id}`])).length, 0, 'no snapshot');
    await eventually(async () => ((await stack.restic(['list', 'locks', '--no-lock'])).trim() === '' ? true : undefined), 10_000);
    t.equal((await alice.get(`/v1/backups/${res.body.id}`)).body.status, 'cancelled', 'stays cancelled');
    const again = await alice.post(`/v1/backups/${res.body.id}/cancel`);
    t.equal(again.status, 409);
    t.equal(again.body.error.code, 'BACKUPS_ERR_NOT_CANCELLABLE');
  });

  t.test('the package’s backups limit holds against parallel requests; no feature, no backup', async (t) => {
    const carol = await makeUser(stack.sql, 'customer', trees.resellerA);
    const small = await stack.newPackage({ backups: 2 }, { backups: true });
    const carolSite = await stack.site({ subscriptionId: await stack.subscribe(carol, small.id) });
    const asCarol = stack.caller(carol);
    const answers = await Promise.all(Array.from({ length: 6 }, () => asCarol.post('/v1/backups', { websiteId: carolSite.id })));
    t.same(
      answers.map((a) => a.status).sort(),
      [202, 202, 409, 409, 409, 409],
      answers.map((a) => a.body?.error?.code ?? a.status).join(' '),
    );
    t.ok(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'LIMITS_ERR_EXCEEDED'));
    const dave = await makeUser(stack.sql, 'customer', trees.resellerA);
    const none = await stack.newPackage({ backups: 10 }, { backups: false });
    const daveSite = await stack.site({ subscriptionId: await stack.subscribe(dave, none.id) });
    const refused = await stack.caller(dave).post('/v1/backups', { websiteId: daveSite.id });
    t.equal(refused.status, 403);
    t.equal(refused.body.error.code, 'BACKUPS_ERR_NOT_IN_PACKAGE');
    for (const a of answers.filter((x) => x.status === 202)) await finished(asCarol, a.body.id);
  });
}
