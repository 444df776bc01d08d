/**
 * The real stack an SFTP test runs on: accounts, websites, the NGINX driver (real nginx, site
 * users as root) and the sftp plugin with a real OpenSSH sshd on a free port, and the real
 * `sftp` client. The root lives under /var/lib/hostplane-test: sshd chroots only below
 * root-owned folders closed to others, which /tmp is not.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { startTestHost, type TestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import nginx from '@hostplane/plugin-webserver-nginx';
import sftp from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees, type TestUser } from '../../accounts/test/helpers.js';
import { assertNoDaemons, stopAtExit } from '../../webserver-nginx/test/daemons.js';
import { freePort, removeUsers, systemMissing } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';

export const TEST_BASE = '/var/lib/hostplane-test';

/** Why these tests cannot run here, or null. */
export function stackMissing(): string | null {
  const need = (file: string, pkg: string): string | null => {
    try {
      accessSync(file, constants.X_OK);
      return null;
    } catch {
      return `needs ${file} (apt-get install ${pkg})`;
    }
  };
  const reason =
    (process.getuid?.() !== 0 ? 'needs root (SFTP accounts are system users)' : null) ??
    need('/usr/sbin/sshd', 'openssh-server') ??
    need('/usr/bin/sftp', 'openssh-client') ??
    need('/usr/bin/openssl', 'openssl');
  if (reason && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1')
    throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason ?? systemMissing();
}

export interface SftpResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function startStack(t: Test, options: { sftp?: Record<string, unknown> } = {}) {
  await fs.mkdir(TEST_BASE, { recursive: true, mode: 0o755 });
  const base = await fs.mkdtemp(path.join(TEST_BASE, 'sftp-'));
  // NGINX (www-data) must traverse to the sites; sshd wants it root-owned and closed to writes.
  await fs.chmod(base, 0o711);
  stopAtExit(base);
  const root = path.join(base, 'nginx');
  const sftpRoot = path.join(base, 'sftp');
  const port = await freePort();
  const sftpPort = await freePort();
  const host: TestHost = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: websites, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      sftp,
    ],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      sftp: { root: sftpRoot, port: sftpPort, listenAddress: '127.0.0.1', ...options.sftp },
    },
  });
  const sql = sqlOf(host);
  const siteNames: string[] = [];
  t.teardown(async () => {
    await sql.destroy();
    await host.kernel.disable('sftp');
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(base);
    // Accounts the test left: their users go with the sites' (same uid).
    const passwd = await fs.readFile('/etc/passwd', 'utf8');
    for (const line of passwd.split('\n')) {
      const [login, , , , comment] = line.split(':');
      if (login && comment?.startsWith('hostplane sftp ') && siteNames.some((n) => login.startsWith(`${n}_`))) {
        await new Promise((r) => execFile('userdel', ['-f', login], r));
      }
    }
    await removeUsers(siteNames);
    await fs.rm(base, { recursive: true, force: true });
  });

  const trees = await twoTrees(sql);
  const admin = caller(host, trees.admin);
  const pkg = (
    await admin.post(
      '/v1/packages',
      packageBody({
        name: `SFTP ${randomUUID().slice(0, 6)}`,
        limits: { websites: 50, domains: 50 },
        features: { php_versions: ['8.2'] },
      }),
    )
  ).body;
  const subscribe = async (user: TestUser) =>
    (await admin.post('/v1/subscriptions', { customerId: user.id, packageId: pkg.id, billingCycle: 'monthly' })).body
      .id as string;
  const subscriptions = { own: await subscribe(trees.customerA), foreign: await subscribe(trees.customerB) };

  let n = 0;
  const tag = randomUUID().slice(0, 6);
  /** A static site of customer A (own) or B (foreign), served and converged. */
  async function site(which: 'own' | 'foreign' = 'own') {
    n += 1;
    const res = await admin.post('/v1/websites', {
      domain: `f${n}-${tag}.example.test`,
      kind: 'static',
      subscriptionId: subscriptions[which],
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    siteNames.push(res.body.name);
    const active = await eventually(async () => {
      const s = (await admin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(`site in error: ${s.statusReason}`);
      return s.status === 'active' && s.converged ? s : undefined;
    }, 30_000);
    return {
      id: active.id as string,
      name: active.name as string,
      publicDir: active.documentRoot as string,
      dir: path.dirname(active.documentRoot as string),
    };
  }

  const keyDir = path.join(base, 'client');
  await fs.mkdir(keyDir, { mode: 0o700 });
  /** A fresh ed25519 key pair for the client: its private key file and public line. */
  async function keyPair(): Promise<{ file: string; publicKey: string }> {
    const file = path.join(keyDir, `id_${randomUUID().slice(0, 8)}`);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test@client', '-f', file]);
    return { file, publicKey: (await fs.readFile(`${file}.pub`, 'utf8')).trim() };
  }

  /**
   * The real `sftp` client: `commands` as a batch (each prefixed with `-`, so one failure does
   * not stop the rest), as `login` with a key file or a password (through SSH_ASKPASS).
   */
  async function sftpRun(login: string, auth: { key: string } | { password: string }, commands: string[]): Promise<SftpResult> {
    const batch = path.join(keyDir, `batch-${randomUUID().slice(0, 8)}`);
    await fs.writeFile(batch, commands.map((c) => `-${c}\n`).join(''));
    // sftp's -b adds `BatchMode yes` (no password prompts) unless an earlier -o set it: ssh keeps the first value.
    const common = [
      '-o',
      `BatchMode=${'key' in auth ? 'yes' : 'no'}`,
      '-b',
      batch,
      '-P',
      String(sftpPort),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=10',
      '-o',
      'LogLevel=ERROR',
    ];
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: keyDir };
    let args: string[];
    if ('key' in auth) {
      args = [...common, '-o', 'PasswordAuthentication=no', '-o', 'IdentitiesOnly=yes', '-i', auth.key];
    } else {
      // -b turns BatchMode on, which forbids password prompts; SSH_ASKPASS answers them instead.
      const askpass = path.join(keyDir, `askpass-${randomUUID().slice(0, 8)}`);
      await fs.writeFile(askpass, '#!/bin/sh\nprintf "%s\\n" "$HP_TEST_PASSWORD"\n', { mode: 0o700 });
      env.SSH_ASKPASS = askpass;
      env.SSH_ASKPASS_REQUIRE = 'force';
      env.DISPLAY = ':0';
      env.HP_TEST_PASSWORD = auth.password;
      args = [
        ...common,
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'PreferredAuthentications=password',
        '-o',
        'NumberOfPasswordPrompts=1',
      ];
    }
    const result = await run('sftp', [...args, `${login}@127.0.0.1`], env);
    await fs.rm(batch, { force: true });
    return result;
  }

  return {
    host,
    sql,
    base,
    root,
    sftpRoot,
    sftpPort,
    httpPort: port,
    trees,
    admin,
    subscriptions,
    site,
    keyPair,
    sftpRun,
    caller: (u: TestUser) => caller(host, u),
  };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<SftpResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
