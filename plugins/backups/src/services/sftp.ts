/**
 * The SFTP target: restic's `sftp:` back end runs `ssh`, and we give it the whole command
 * (`-o sftp.command=…`) so it uses our key and a known_hosts file of our own holding only the
 * admin's pinned host key, never the user's ~/.ssh nor the system's files. An unknown or
 * changed host key is refused by ssh (`StrictHostKeyChecking=yes`), never learnt.
 *
 * ssh reads its key from a file: the sealed key is written, 0600 in a 0700 folder of the
 * plugin's data folder, for as long as the target is in use (see the README).
 */
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BackupsConfig } from '../config.js';
import { BackupsErrors } from '../errors.js';

export type SftpConfig = BackupsConfig['sftp'];

/** The name of the key the plugin made among its secrets (used when the config has none). */
export const SFTP_KEY_SECRET = 'sftp.private-key';

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

/**
 * The known_hosts line pinning `hostKey` for `host:port`. `hostKey` is a public key
 * (`ssh-ed25519 AAAA…`) or a known_hosts / ssh-keyscan line (whose host part is ignored: the
 * key is pinned for the configured host and port).
 */
export function knownHostsLine(sftp: Pick<SftpConfig, 'host' | 'port' | 'hostKey'>): string {
  const words = sftp.hostKey.trim().split(/\s+/);
  const at = words.findIndex((w) => KEY_TYPE.test(w));
  const type = at >= 0 ? words[at] : undefined;
  const key = at >= 0 ? words[at + 1] : undefined;
  if (!type || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key))
    throw BackupsErrors.targetInvalid('the sftp target needs the server’s host key (`ssh-ed25519 AAAA…` or an ssh-keyscan line)');
  const name = sftp.port === 22 ? sftp.host : `[${sftp.host}]:${sftp.port}`;
  return `${name} ${type} ${key}\n`;
}

/** restic's `-r` value: `sftp:user@host:/path` (the port goes to ssh). */
export function sftpLocation(sftp: Pick<SftpConfig, 'host' | 'user' | 'path'>): string {
  const host = sftp.host.includes(':') ? `[${sftp.host}]` : sftp.host;
  return `sftp:${sftp.user}@${host}:${sftp.path}`;
}

/** One word of restic's `sftp.command`, quoted the way restic splits it (double quotes, backslash escapes). */
function word(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The ssh command restic runs for the sftp session: our key, our known_hosts, nothing else.
 * ssh logs to `logFile`: restic copies ssh's stderr through a goroutine and may exit before it
 * has copied "Host key verification failed", leaving only its own "EOF" (seen under load).
 */
export function sshCommand(input: {
  keyFile: string;
  knownHosts: string;
  logFile: string;
  host: string;
  port: number;
  user: string;
}): string {
  return [
    'ssh',
    // No ~/.ssh/config, no /etc/ssh/ssh_config: nothing of the machine's user changes what runs.
    '-F',
    '/dev/null',
    '-E',
    input.logFile,
    '-i',
    input.keyFile,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${input.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'UpdateHostKeys=no',
    '-o',
    'ConnectTimeout=20',
    '-o',
    'ServerAliveInterval=15',
    '-p',
    String(input.port),
    '-l',
    input.user,
    input.host,
    '-s',
    'sftp',
  ]
    .map(word)
    .join(' ');
}

/** A new ed25519 key in OpenSSH's format (made by ssh-keygen, which ships with ssh). */
export function generatePrivateKey(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hp-backups-sftp-'));
  try {
    const file = path.join(dir, 'id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hostplane-backups', '-f', file], { stdio: 'ignore' });
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The public key (`ssh-ed25519 AAAA…`) of an OpenSSH private key: what the server's authorized_keys needs. */
export async function publicKeyOf(privateKey: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hp-backups-sftp-'));
  try {
    const file = path.join(dir, 'id');
    await writeFile(file, withNewline(privateKey), { mode: 0o600 });
    const { stdout } = await promisify(execFile)('ssh-keygen', ['-y', '-f', file]);
    return stdout.trim();
  } catch {
    throw BackupsErrors.targetInvalid('the sftp private key is not an unencrypted OpenSSH key');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

/** ssh's log grows only by errors; past this it is started afresh. */
const SSH_LOG_MAX = 1024 * 1024;

/**
 * Write the key and the pinned host key under `dir` (a folder per content, so a changed
 * config never races a run still using the old files) and give restic's options and the file
 * ssh logs to. Runs at once share the log; what they append under the same key and pinned host
 * key says the same of each.
 */
export async function sftpOptions(
  dir: string,
  sftp: SftpConfig,
  privateKey: string,
): Promise<{ options: string[]; sshLog: string }> {
  const known = knownHostsLine(sftp);
  const key = withNewline(privateKey.replace(/\r\n/g, '\n'));
  const folder = path.join(dir, createHash('sha256').update(key).update(known).digest('hex').slice(0, 16));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const keyFile = path.join(folder, 'id');
  const knownHosts = path.join(folder, 'known_hosts');
  if ((await readFile(keyFile, 'utf8').catch(() => null)) !== key) await writeFile(keyFile, key, { mode: 0o600 });
  if ((await readFile(knownHosts, 'utf8').catch(() => null)) !== known) await writeFile(knownHosts, known, { mode: 0o600 });
  const sshLog = path.join(folder, 'ssh.log');
  if (((await stat(sshLog).catch(() => null))?.size ?? 0) > SSH_LOG_MAX) await truncate(sshLog, 0);
  const command = sshCommand({ keyFile, knownHosts, logFile: sshLog, host: sftp.host, port: sftp.port, user: sftp.user });
  return { options: ['-o', `sftp.command=${command}`], sshLog };
}

/** ssh refused the server's host key (unknown or changed): said plainly, not as restic's EOF. */
export function hostKeyRefused(stderr: string): boolean {
  return /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/.test(stderr);
}

/**
 * What ssh logs to `file` from now on (a run's `Repository.sshLog`), read once restic has exited (ssh has then exited too:
 * restic waits for it), as `ssh: …` lines to add to restic's stderr.
 */
export function sshLogFrom(file: string | undefined): () => string {
  if (!file) return () => '';
  const from = sizeOf(file);
  return () => {
    const length = Math.min(sizeOf(file) - from, 64 * 1024);
    if (length <= 0) return '';
    const buffer = Buffer.alloc(length);
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const read = readSync(fd, buffer, 0, length, from);
      return buffer
        .subarray(0, read)
        .toString('utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => `ssh: ${line.trim()}\n`)
        .join('');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
