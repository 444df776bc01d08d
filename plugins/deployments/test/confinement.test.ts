/**
 * A build is confined like the site it builds (decision 0081): it runs as the site's own user
 * with the site's own group only (no supplementary groups: neither root's nor the web server's,
 * which reads every site), so another site's files are out of its reach by every program it
 * may run, `cat`, `ls` and PHP alike; the files it makes are the site's, unreadable to others.
 * Real git, real NGINX, real site users (as root).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { finished, startStack, stackMissing } from './stack.js';

const exec = promisify(execFile);
const missing = stackMissing() ?? (process.getuid?.() === 0 ? null : 'site users need root');
if (missing) {
  t.plan(0, `real nginx and site users: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t);
  const own = stack.caller(stack.trees.customerA);
  const site = await stack.site('own', 'php');
  const other = await stack.site('foreign', 'php');
  const repo = await stack.repo(site.dir);
  const base = `/v1/websites/${site.id}/deployments`;
  const hasPhp = await exec('php', ['-v']).then(
    () => true,
    () => false,
  );

  // The other site's secrets, with the modes and owners its own files have.
  const SECRET = `secret-${Date.now()}`;
  const publicOwner = await fs.stat(other.publicDir);
  const secretFile = path.join(other.publicDir, 'secret.txt');
  await fs.writeFile(secretFile, SECRET, { mode: 0o640 });
  await fs.chown(secretFile, publicOwner.uid, publicOwner.gid);
  const appFile = path.join(other.dir, 'app', 'secret.txt');
  const appOwner = await fs.stat(path.dirname(appFile));
  await fs.writeFile(appFile, SECRET, { mode: 0o640 });
  await fs.chown(appFile, appOwner.uid, appOwner.gid);

  // Each attempt prints its outcome; the build itself succeeds so the release can be read back.
  const BUILD_SH = [
    'set -e',
    'mkdir -p web',
    'echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)" > web/who.txt',
    `(cat ${secretFile} || echo cat-public-refused) >> web/tries.txt 2>&1`,
    `(cat ${appFile} || echo cat-app-refused) >> web/tries.txt 2>&1`,
    `(ls ${other.dir} || echo ls-site-refused) >> web/tries.txt 2>&1`,
    `(ls ${path.dirname(other.dir)} || echo ls-sites-refused) >> web/tries.txt 2>&1`,
    `(cp -r ${other.publicDir} web/stolen || echo cp-refused) >> web/tries.txt 2>&1`,
    ...(hasPhp ? ['php try.php >> web/tries.txt 2>&1'] : []),
    'echo built-by-own > web/made.txt',
    '',
  ].join('\n');
  const TRY_PHP = `<?php
$s = @file_get_contents(${JSON.stringify(secretFile)});
echo $s === false ? 'php-refused' : $s, "\\n";
$d = @scandir(${JSON.stringify(other.dir)});
echo $d === false ? 'php-scandir-refused' : implode(',', $d), "\\n";
`;

  t.test('a build reads none of another site’s files, by any program', async (t) => {
    await repo.commit({ 'build.sh': BUILD_SH, 'try.php': TRY_PHP });
    const put = await own.call('PUT', `${base}/connection`, {
      repositoryUrl: repo.url,
      branch: 'main',
      buildCommand: 'sh build.sh',
      webRoot: 'web',
    });
    t.equal(put.status, 200, JSON.stringify(put.body));
    const res = await own.post(base);
    t.equal(res.status, 202, JSON.stringify(res.body));
    const done = await finished(own, site.id, res.body.id as string);
    t.equal(done.status, 'succeeded', `${done.error}\n${done.log}`);
    const web = path.join(site.dir, 'releases', done.release as string, 'web');
    const tries = await fs.readFile(path.join(web, 'tries.txt'), 'utf8');
    t.notMatch(tries + done.log, SECRET, 'the secret was read by nothing');
    for (const refused of ['cat-public-refused', 'cat-app-refused', 'ls-site-refused', 'ls-sites-refused', 'cp-refused'])
      t.match(tries, refused, refused);
    t.match(tries, /Permission denied/);
    if (hasPhp) {
      t.match(tries, 'php-refused', 'PHP’s reads are refused the same way');
      t.match(tries, 'php-scandir-refused');
    }
    t.notOk(
      await fs.stat(path.join(web, 'stolen', 'secret.txt')).then(
        () => true,
        () => false,
      ),
      'nothing was copied',
    );

    // Who it ran as: the site's user and its own group, nothing more.
    const siteUser = await fs.stat(path.join(site.dir, 'tmp'));
    const who = (await fs.readFile(path.join(web, 'who.txt'), 'utf8')).trim();
    t.equal(who, `uid=${siteUser.uid} gid=${siteUser.gid} groups=${siteUser.gid}`, 'no supplementary groups');
    const webGroup = (await fs.stat(site.publicDir)).gid;
    t.not(siteUser.gid, webGroup, 'not the web server’s group, which reads every site');
    // What it made belongs to the site and is closed to others (umask 027).
    const made = await fs.stat(path.join(web, 'made.txt'));
    t.equal(made.uid, siteUser.uid);
    t.equal(made.mode & 0o007, 0, 'others may not read what the build made');
  });

  t.test('the other site’s build cannot read this site’s release either', async (t) => {
    const live = await fs.readlink(path.join(site.dir, 'current'));
    const made = path.join(site.dir, live, 'web', 'made.txt');
    const otherRepo = await stack.repo(other.dir);
    await otherRepo.commit({ 'README.md': 'the other site' });
    const asOther = stack.caller(stack.trees.customerB);
    const otherBase = `/v1/websites/${other.id}/deployments`;
    const put = await asOther.call('PUT', `${otherBase}/connection`, {
      repositoryUrl: otherRepo.url,
      branch: 'main',
      buildCommand: `mkdir -p out && (cat ${made} || echo refused) > out/tries.txt 2>&1`,
      webRoot: 'out',
    });
    t.equal(put.status, 200, JSON.stringify(put.body));
    const res = await asOther.post(otherBase);
    const done = await finished(asOther, other.id, res.body.id as string);
    t.equal(done.status, 'succeeded', `${done.error}\n${done.log}`);
    const tries = await fs.readFile(path.join(other.dir, 'releases', done.release as string, 'out', 'tries.txt'), 'utf8');
    t.match(tries, /Permission denied/);
    t.match(tries, 'refused');
    t.notMatch(tries, 'built-by-own');
  });
}
