/**
 * A real OpenSSH sshd for the SFTP target's tests: unprivileged (as a system user made for it
 * when the test runs as root, else as the test's own user), on a free port of 127.0.0.1, with
 * its own host key and an AuthorizedKeysFile the test writes. Stopped (and its user removed)
 * by the test's teardown.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { freePort } from '../../webserver-nginx/test/helpers.js';

export const SSHD = '/usr/sbin/sshd';

/** Why an sshd cannot run here, or null. */
export function sshdMissing(): string | null {
  try {
    accessSync(SSHD, constants.X_OK);
    accessSync('/usr/bin/ssh', constants.X_OK);
    return null;
  } catch {
    const reason = 'needs /usr/sbin/sshd and /usr/bin/ssh (apt-get install openssh-server openssh-client)';
    if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
    return reason;
  }
}

/** A new ed25519 key pair (OpenSSH formats). */
export async function keyPair(): Promise<{ privateKey: string; publicKey: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hp-sshkey-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', path.join(dir, 'k')], { stdio: 'ignore' });
    return {
      privateKey: await readFile(path.join(dir, 'k'), 'utf8'),
      publicKey: (await readFile(path.join(dir, 'k.pub'), 'utf8')).trim(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function startSshd(t: Test) {
  const root = process.getuid?.() === 0;
  const user = root ? `hpsftp${randomBytes(3).toString('hex')}` : os.userInfo().username;
  if (root) {
    // `-p '*'`: no password, yet not locked (sshd refuses a locked account even with a key).
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', '-p', '*', user]);
  }
  const ids = {
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })),
  };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hp-sshd-'));
  await chmod(dir, 0o755);
  const hostKey = path.join(dir, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-host', '-f', hostKey], { stdio: 'ignore' });
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, '', { mode: 0o644 });
  const storage = path.join(dir, 'storage');
  await mkdir(storage, { mode: 0o700 });
  await chown(hostKey, ids.uid, ids.gid);
  await chown(storage, ids.uid, ids.gid);
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      `AuthorizedKeysFile ${authorizedKeys}`,
      // The files are the test's (root's), not the login user's.
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowUsers ${user}`,
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const args = ['-D', '-e', '-f', config];
  const child = root
    ? spawn('setpriv', [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', SSHD, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(SSHD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  t.teardown(async () => {
    child.kill('SIGTERM');
    await exited;
    if (root) execFileSync('userdel', [user]);
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; !log.includes('Server listening'); i += 1) {
    if (child.exitCode !== null || i > 100) throw new Error(`sshd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    user,
    /** Where the repository goes (owned by the login user). */
    storage,
    /** The server's public host key (`ssh-ed25519 AAAA… test-host`). */
    hostKey: (await readFile(`${hostKey}.pub`, 'utf8')).trim(),
    /** Replace the keys allowed to log in. */
    authorize: (keys: string[]) => writeFile(authorizedKeys, keys.map((k) => `${k}\n`).join('')),
    /** sshd's log so far. */
    log: () => log,
  };
}
