/**
 * The compiled host (`hostplane start`, as an admin runs it) on a fresh database with a drop-in
 * folder, the demo users seeded and one signer key trusted by the admin: where the outsider's
 * plugin is enabled at the end of its path.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@hostplane/core';
import { runCli } from '@hostplane/host';
import { stopAtExitUnder, stopDaemonsUnder } from '../../../plugins/webserver-nginx/test/daemons.js';
import { REPO } from './outsider.js';
import { freePort } from '@hostplane/testing/free-port';

/** The demo logins the host seeds (README). */
const LOGINS = {
  admin: { email: 'admin@hostplane.test', password: 'demo-admin-password' },
  customer: { email: 'alice@hostplane.test', password: 'demo-customer-password' },
} as const;

/** A JSON answer. */
export interface HostAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A running host to call as one of the demo users. */
export interface DropInHost {
  call(as: keyof typeof LOGINS, method: string, path: string, body?: unknown): Promise<HostAnswer>;
}

async function hostplane(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  let err = '';
  const code = await runCli(argv, { out: () => undefined, err: (s) => (err += s) }, env);
  if (code !== 0) throw new Error(`hostplane ${argv.join(' ')} failed (${code}): ${err}`);
}

export async function startDropInHost(
  t: { teardown(fn: () => unknown): void },
  options: { pluginsDir: string; trustKey: string; signer: string },
): Promise<DropInHost> {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-dropin-host-'));
  // The isolated plugin's data folder lies under it: its user must pass through.
  await chmod(dataDir, 0o711);
  // The first start enables every first-party plugin: NGINX, PHP-FPM and the managed database
  // servers run under the data dir and outlive the host; all of them are stopped.
  stopAtExitUnder(dataDir);
  t.teardown(async () => {
    await stopDaemonsUnder(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PLUGINS_DIR: options.pluginsDir,
    HOSTPLANE_PORT: '0',
    HOSTPLANE_LOG_LEVEL: 'warn',
    HOSTPLANE_SEED_DEMO: '1',
  };
  delete env.NODE_OPTIONS;
  await hostplane(['migrate', 'up'], env);
  await hostplane(['plugins', 'trust-key', options.trustKey, '--name', options.signer], env);
  // The first start enables every first-party plugin: the web server must not take a shared port.
  await hostplane(['plugins', 'config', 'set', 'webserver-nginx', `httpPort=${await freePort()}`], env);

  const child = spawn(process.execPath, [join(REPO, 'host/dist/cli/main.js'), 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const deadline = Date.now() + 60_000;
  let base: string | undefined;
  while (!(base = /running at (http:\/\/\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the host did not start:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const tokens = new Map<string, string>();
  const tokenOf = async (as: keyof typeof LOGINS): Promise<string> => {
    const known = tokens.get(as);
    if (known) return known;
    const res = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(LOGINS[as]),
    });
    if (res.status !== 200) throw new Error(`${as} could not sign in: ${res.status} ${await res.text()}`);
    const token = ((await res.json()) as { accessToken: string }).accessToken;
    tokens.set(as, token);
    return token;
  };
  return {
    async call(as, method, path, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${await tokenOf(as)}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      try {
        return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
      } catch {
        return { status: res.status, body: { text } };
      }
    },
  };
}
