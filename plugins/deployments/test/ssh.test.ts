/**
 * An ssh repository with the site's deploy key: a real OpenSSH sshd on a free port (started and
 * stopped here) accepts only the public half the plugin showed, and the deployment clones over
 * it as the site user with the private half, which is on disk only during the clone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { freePort } from '@hostplane/testing/free-port';
import { eventually } from '../../websites/test/helpers.js';
import { finished, startStack, stackMissing } from './stack.js';

const exec = promisify(execFile);

async function startSshd(dir: string, port: number): Promise<ChildProcess> {
  await fs.rm(path.join(dir, 'host_key'), { force: true });
  await fs.rm(path.join(dir, 'host_key.pub'), { force: true });
  await fs.rm(path.join(dir, 'sshd.pid'), { force: true });
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  if (!(await fs.stat(path.join(dir, 'authorized_keys')).catch(() => null)))
    await fs.writeFile(path.join(dir, 'authorized_keys'), '');
  await fs.writeFile(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await eventually(async () => (await fs.stat(path.join(dir, 'sshd.pid')).catch(() => null)) ?? undefined, 10_000, 50);
  return child;
}

const missing = stackMissing() ?? (process.getuid?.() !== 0 ? 'not root' : null);
if (missing) {
  t.plan(0, `real nginx and sshd as root: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t);
  const own = stack.caller(stack.trees.customerA);
  const site = await stack.site('own');
  const repo = await stack.repo(site.dir);
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'hostplane-deploy-sshd-'));
  const port = await freePort();
  let sshd = await startSshd(dir, port);
  t.teardown(async () => {
    sshd.kill('SIGTERM');
    await new Promise((r) => sshd.once('exit', r));
    await fs.rm(dir, { recursive: true, force: true });
  });
  const base = `/v1/websites/${site.id}/deployments`;
  const url = `ssh://root@127.0.0.1:${port}${repo.bare}`;

  t.test('the deploy key shown is the one the clone signs in with', async (t) => {
    await repo.commit({ 'index.html': 'over ssh' });
    // Read over ssh by root (the remote user here), not by the site user: root owns it again.
    await exec('chown', ['-R', '0', repo.bare]);
    const put = await own.call('PUT', `${base}/connection`, { repositoryUrl: url, branch: 'main' });
    t.equal(put.status, 200, JSON.stringify(put.body));
    const key = put.body.deployKey as string;
    t.match(key, /^ssh-ed25519 /);

    const refused = await own.post(base);
    const denied = await finished(own, site.id, refused.body.id);
    t.equal(denied.status, 'failed', 'before the key is added to the repository: refused');
    t.match(denied.log, /Permission denied|Could not read/);

    await fs.writeFile(path.join(dir, 'authorized_keys'), `${key}\n`);
    const res = await own.post(base);
    const done = await finished(own, site.id, res.body.id);
    t.equal(done.status, 'succeeded', done.log);
    t.equal((await stack.serve(site.domain)).body, 'over ssh');
    // The clone's key folders (mkdtemp: six characters after the prefix).
    const leftovers = (await fs.readdir(tmpdir())).filter((n) => /^hostplane-deploy-[A-Za-z0-9]{6}$/.test(n));
    t.same(leftovers, [], 'the private key is gone from disk');
  });

  t.test('the host keys seen at the first clone are pinned: a changed key is refused', async (t) => {
    const conn = await stack.sql('plugin_deployments.connections').where({ website_id: site.id }).first();
    t.match(conn.known_hosts, / ssh-ed25519 AAAA/, 'pinned after the first clone (hashed or not, as ssh writes it)');
    sshd.kill('SIGTERM');
    await new Promise((r) => sshd.once('exit', r));
    sshd = await startSshd(dir, port);
    const res = await own.post(base);
    const done = await finished(own, site.id, res.body.id);
    t.equal(done.status, 'failed');
    t.match(done.log, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    t.equal((await stack.serve(site.domain)).body, 'over ssh', 'still serving');
    // Reconnecting (disconnect, connect) forgets the pinned keys: the next clone learns the new one.
    t.equal((await own.del(`${base}/connection`)).status, 204);
    const again = await own.call('PUT', `${base}/connection`, { repositoryUrl: url, branch: 'main' });
    await fs.writeFile(path.join(dir, 'authorized_keys'), `${again.body.deployKey}\n`);
    const next = await finished(own, site.id, (await own.post(base)).body.id);
    t.equal(next.status, 'succeeded', next.log);
  });
}
