/**
 * Git deploys on the real stack (real git over file://, real NGINX, site users as root): a
 * deployment clones and builds as the site user and NGINX serves the new release; what the site
 * served before is kept as the initial release; rollback is one call; only the newest N releases
 * stay; a failing build leaves the site on its previous release.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { finished, startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  // Real daemons, system users and site convergence: more than the suite's 120 s on a busy machine.
  t.setTimeout(300_000);
  const stack = await startStack(t, { deployments: { logLimitBytes: 8192 } });
  const own = stack.caller(stack.trees.customerA);
  const site = await stack.site('own');
  const repo = await stack.repo(site.dir);
  const base = `/v1/websites/${site.id}/deployments`;
  const deploy = async () => {
    const res = await own.post(base);
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    return finished(own, site.id, res.body.id as string);
  };
  const BUILD = 'mkdir -p dist && cp page.html dist/index.html && id -u > dist/who.txt && echo "built $(cat page.html)"';

  t.test('connect, deploy: cloned and built as the site user, served by NGINX', async (t) => {
    const before = (await stack.serve(site.domain)).body;
    const sha = await repo.commit({ 'page.html': 'version one' });
    const put = await own.call('PUT', `${base}/connection`, {
      repositoryUrl: repo.url,
      branch: 'main',
      buildCommand: BUILD,
      webRoot: 'dist',
      keepReleases: 2,
    });
    t.equal(put.status, 200, JSON.stringify(put.body));
    t.type(put.body.webhookSecret, 'string', 'the secret is shown once');
    t.match(put.body.webhookPath, /^\/v1\/deployments\/hooks\/[0-9a-f-]{36}$/);
    t.equal(put.body.deployKey, null, 'no key for a non-ssh repository');
    t.equal((await own.get(`${base}/connection`)).body.webhookSecret, undefined, 'and not shown again');

    const done = await deploy();
    t.equal(done.status, 'succeeded', `${done.error}\n${done.log}`);
    t.equal(done.commitSha, sha);
    t.equal(done.live, true);
    t.match(done.log, /built version one/);
    t.match(done.log, /git clone --depth 1/);
    t.equal(done.progress, 1);
    t.ok((done.durationMs as number) >= 0);
    t.equal((await stack.serve(site.domain)).body, 'version one');
    const uid = Number((await stack.serve(site.domain, '/who.txt')).body.trim());
    t.equal(uid, (await fs.stat(site.dir)).uid, 'built as the site user');
    t.not(uid, 0);
    t.equal(await fs.readlink(path.join(site.dir, 'public')), 'current/dist');
    t.equal(await fs.readlink(path.join(site.dir, 'current')), `releases/${done.release}`);
    t.notOk(await exists(path.join(site.dir, 'releases', done.release as string, '.git')), '.git is not left to be served');
    // What the site served before is the initial release, one rollback away.
    const list = (await own.get(base)).body.items as Array<Record<string, unknown>>;
    const initial = list.find((d) => d.trigger === 'initial')!;
    t.ok(initial, 'an initial release was recorded');
    t.equal(await fs.readFile(path.join(site.dir, 'releases', initial.release as string, 'index.html'), 'utf8'), before);
    t.equal(list[0]!.id, done.id, 'newest first');
  });

  t.test('the file manager still works inside the served release', async (t) => {
    const res = await own.get(`/v1/websites/${site.id}/files`);
    t.equal(res.status, 200, JSON.stringify(res.body));
    t.ok((res.body.entries as Array<{ name: string }>).some((e) => e.name === 'index.html'));
  });

  let first = '';
  t.test('a second deployment switches; rollback is one call', async (t) => {
    first = (await own.get(base)).body.items.find((d: { live: boolean }) => d.live).id;
    await repo.commit({ 'page.html': 'version two' });
    const second = await deploy();
    t.equal(second.status, 'succeeded', second.log);
    t.equal((await stack.serve(site.domain)).body, 'version two');
    const rb = await own.post(`${base}/${first}/rollback`);
    t.equal(rb.status, 202, JSON.stringify(rb.body));
    t.equal(rb.body.trigger, 'rollback');
    const done = await finished(own, site.id, rb.body.id);
    t.equal(done.status, 'succeeded', done.log);
    t.equal((await stack.serve(site.domain)).body, 'version one', 'the first release is served again');
    t.equal(done.live, true);
    t.equal(done.rollbackOf, first);
  });

  t.test('only the newest N releases are kept; a removed one cannot be rolled back to', async (t) => {
    for (const v of ['three', 'four', 'five']) {
      await repo.commit({ 'page.html': `version ${v}` });
      t.equal((await deploy()).status, 'succeeded');
    }
    const names = (await fs.readdir(path.join(site.dir, 'releases'))).sort();
    t.equal(names.length, 2, `kept: ${names.join(' ')}`);
    t.equal((await stack.serve(site.domain)).body, 'version five');
    const list = (await own.get(base)).body.items as Array<Record<string, unknown>>;
    const kept = list.filter((d) => d.releaseKept).map((d) => d.release);
    t.same(new Set(kept), new Set(names));
    const old = await own.post(`${base}/${first}/rollback`);
    t.equal(old.status, 409);
    t.equal(old.body.error.code, 'DEPLOY_ERR_NOT_ROLLBACKABLE');
  });

  t.test('a failing build leaves the site on its previous release and no half release', async (t) => {
    const before = (await fs.readdir(path.join(site.dir, 'releases'))).sort();
    await own.call('PUT', `${base}/connection`, {
      repositoryUrl: repo.url,
      branch: 'main',
      buildCommand: 'echo broken >&2; exit 7',
      webRoot: 'dist',
      keepReleases: 2,
    });
    await repo.commit({ 'page.html': 'version six' });
    const done = await deploy();
    t.equal(done.status, 'failed');
    t.match(done.error, /exit code 7/);
    t.match(done.log, /broken/);
    t.equal((await stack.serve(site.domain)).body, 'version five');
    t.same((await fs.readdir(path.join(site.dir, 'releases'))).sort(), before);
  });

  t.test('a web root the release lacks fails without switching', async (t) => {
    await own.call('PUT', `${base}/connection`, {
      repositoryUrl: repo.url,
      branch: 'main',
      webRoot: 'nothing-here',
      keepReleases: 2,
    });
    const done = await deploy();
    t.equal(done.status, 'failed');
    t.match(done.error, /nothing-here/);
    t.equal((await stack.serve(site.domain)).body, 'version five');
  });

  t.test('the CLI lists deployments and queues one', async (t) => {
    const kernel = stack.host.kernel as unknown as {
      runCommand(id: string, name: string, args: string[], io: { out(s: string): void; err(s: string): void }): Promise<number>;
    };
    let out = '';
    let err = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
    t.equal(await kernel.runCommand('deployments', 'list', ['--website', site.id, '--json'], io), 0, err);
    const listed = JSON.parse(out) as Array<{ websiteId: string; status: string }>;
    t.ok(listed.length >= 5 && listed.every((d) => d.websiteId === site.id));
    t.equal(await kernel.runCommand('deployments', 'list', ['--website', 'nope'], io), 2, 'a bad id is a usage error');
    out = '';
    await own.call('PUT', `${base}/connection`, {
      repositoryUrl: repo.url,
      branch: 'main',
      buildCommand: BUILD,
      webRoot: 'dist',
      keepReleases: 2,
    });
    t.equal(await kernel.runCommand('deployments', 'deploy', [site.id], io), 0, err);
    const id = /deployment ([0-9a-f-]{36}) queued/.exec(out)?.[1];
    t.ok(id);
    t.equal((await finished(own, site.id, id!)).status, 'succeeded');
    t.equal((await stack.serve(site.domain)).body, 'version six');
  });

  t.test('a missing branch fails with git’s words in the log', async (t) => {
    await own.call('PUT', `${base}/connection`, { repositoryUrl: repo.url, branch: 'no-such-branch', keepReleases: 2 });
    const done = await deploy();
    t.equal(done.status, 'failed');
    t.match(done.log, /no-such-branch/);
    t.equal((await stack.serve(site.domain)).body, 'version six');
  });
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
