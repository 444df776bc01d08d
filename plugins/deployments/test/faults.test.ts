/**
 * Faults, on the real stack: `kill -9` of the build in the middle of a deployment leaves the
 * site serving its previous release and no half release, and the next deployment succeeds; a
 * host that died mid-deploy (its row still `running`, a half-cloned release and a stray link
 * left behind) is cleaned up by the next one; the build's time limit kills it; deployments asked while
 * one runs wait for it, and of several waiting only the newest runs.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { eventually } from '../../websites/test/helpers.js';
import { finished, startStack, stackMissing } from './stack.js';

/** The pid of a running process whose command line contains `needle`, if any. */
async function processWith(needle: string): Promise<number | undefined> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle) && !cmdline.includes('node')) return Number(entry);
  }
  return undefined;
}

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t, { deployments: { buildTimeoutSeconds: 4 } });
  const own = stack.caller(stack.trees.customerA);
  const site = await stack.site('own');
  const repo = await stack.repo(site.dir);
  const base = `/v1/websites/${site.id}/deployments`;
  const connect = (buildCommand: string | null) =>
    own.call('PUT', `${base}/connection`, { repositoryUrl: repo.url, branch: 'main', buildCommand, keepReleases: 3 });
  const deploy = async () => {
    const res = await own.post(base);
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  };
  const releases = async () => (await fs.readdir(path.join(site.dir, 'releases'))).sort();

  t.test('a first deployment', async (t) => {
    await repo.commit({ 'index.html': 'stable' });
    await connect(null);
    t.equal((await finished(own, site.id, await deploy())).status, 'succeeded');
    t.equal((await stack.serve(site.domain)).body, 'stable');
  });

  t.test('kill -9 of the build mid-deploy: the site keeps serving, the next deploy succeeds', async (t) => {
    const marker = `killme-${randomUUID()}`;
    await connect(`echo building; sleep 30 # ${marker}`);
    await repo.commit({ 'index.html': 'next' });
    const before = await releases();
    const id = await deploy();
    const pid = await eventually(() => processWith(marker), 30_000, 50);
    // While it builds, the new release exists beside the served one.
    t.equal((await releases()).length, before.length + 1);
    process.kill(pid, 'SIGKILL');
    const done = await finished(own, site.id, id);
    t.equal(done.status, 'failed');
    t.match(done.error, /exit code 137/);
    t.match(done.log, /building/);
    t.equal((await stack.serve(site.domain)).body, 'stable', 'the previous release is served');
    t.same(await releases(), before, 'no half release left');
    await connect(null);
    const next = await finished(own, site.id, await deploy());
    t.equal(next.status, 'succeeded', next.log);
    t.equal((await stack.serve(site.domain)).body, 'next');
  });

  t.test('a host that died mid-deploy: the next deployment clears what it left', async (t) => {
    const owner = await fs.stat(site.dir);
    const [dead] = (await stack
      .sql('plugin_deployments.deployments')
      .insert({
        website_id: site.id,
        owner_id: stack.trees.customerA.id,
        trigger: 'manual',
        status: 'running',
        branch: 'main',
        release: '20260101T000000Z-deadbeef',
        started_at: new Date(Date.now() - 60_000),
      })
      .returning('id')) as Array<{ id: string }>;
    const half = path.join(site.dir, 'releases', '20260101T000000Z-deadbeef');
    await fs.mkdir(half);
    await fs.writeFile(path.join(half, 'half.txt'), 'half');
    await fs.symlink('releases/20260101T000000Z-deadbeef', path.join(site.dir, '.hostplane-current.new'));
    for (const p of [half, path.join(half, 'half.txt')]) await fs.chown(p, owner.uid, owner.gid);
    await fs.lchown(path.join(site.dir, '.hostplane-current.new'), owner.uid, owner.gid);
    await repo.commit({ 'index.html': 'after the crash' });
    const done = await finished(own, site.id, await deploy());
    t.equal(done.status, 'succeeded', done.log);
    t.equal((await stack.serve(site.domain)).body, 'after the crash');
    const old = (await own.get(`${base}/${dead!.id}`)).body;
    t.equal(old.status, 'failed');
    t.match(old.error, /interrupted/);
    t.notOk((await releases()).includes('20260101T000000Z-deadbeef'), 'the half release is gone');
  });

  t.test('the build’s time limit stops it; the site stays on its release', async (t) => {
    await connect('sleep 60');
    const started = Date.now();
    const done = await finished(own, site.id, await deploy());
    t.equal(done.status, 'failed');
    t.match(done.error, /longer than 4 s/);
    t.ok(Date.now() - started < 30_000);
    t.equal((await stack.serve(site.domain)).body, 'after the crash');
  });

  t.test('deployments asked while one runs: one at a time, and a storm deploys once more', async (t) => {
    await connect('sleep 2');
    const running = await deploy();
    await eventually(
      async () => ((await own.get(`${base}/${running}`)).body.status === 'running' ? true : undefined),
      30_000,
      50,
    );
    // Three pushes while it builds: the first two step aside for the third.
    const queued = [await deploy(), await deploy(), await deploy()];
    const done = await Promise.all([running, ...queued].map((id) => finished(own, site.id, id, 90_000)));
    t.same(
      done.map((d) => d.status),
      ['succeeded', 'skipped', 'skipped', 'succeeded'],
      done.map((d) => d.error ?? '').join(' | '),
    );
    t.ok(new Date(String(done[3]!.startedAt)) >= new Date(String(done[0]!.finishedAt)), 'no overlap');
    t.equal((await releases()).length, 3, 'keepReleases: 3');
  });
}
