/** Shared by the integration tests: a driver on a temp root and a free port, requests with a Host header. */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, promises as fs, readdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { SiteSpec } from '@hostplane/sdk';
import { NginxDriver, type DriverOptions } from '../src/index.js';
import { SiteUsers } from '../src/services/users.js';
import { assertNoDaemons, stopAtExit } from './daemons.js';
import { freePort } from '@hostplane/testing/free-port';

export { freePort };

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Why the system tests cannot run here, or null when they can. With HOSTPLANE_REQUIRE_SYSTEM=1
 * a missing binary is a failure, not a skip (CI installs both).
 */
export function systemMissing(): string | null {
  const missing: string[] = [];
  if (!executable('/usr/sbin/nginx')) missing.push('/usr/sbin/nginx');
  const fpm = readdirSync('/usr/sbin').filter((f) => /^php-fpm[0-9.]+$/.test(f));
  if (fpm.length === 0) missing.push('/usr/sbin/php-fpm*');
  if (!executable('/usr/bin/zip')) missing.push('/usr/bin/zip');
  if (missing.length === 0) return null;
  const reason = `needs ${missing.join(' and ')} (apt-get install nginx php-fpm zip)`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

export const isRoot = process.getuid?.() === 0;

export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A fresh root; whatever daemons still run under it are stopped when the test process exits. */
export async function tempRoot(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-ws-'));
  stopAtExit(root);
  return root;
}

export async function makeDriver(overrides: Partial<DriverOptions> = {}): Promise<NginxDriver> {
  return new NginxDriver({
    root: overrides.root ?? (await tempRoot()),
    httpPort: overrides.httpPort ?? (await freePort()),
    listenAddress: '127.0.0.1',
    siteUsers: 'auto',
    nginxBinary: '/usr/sbin/nginx',
    phpFpmDir: '/usr/sbin',
    workerProcesses: 1,
    logger: silentLogger,
    ...overrides,
  });
}

/**
 * One driver for a test file, on its own temp root and free port: sites named through `name`
 * are removed (with their users) and the driver stopped at teardown, which fails the test when
 * a daemon outlives the stop. Not started yet.
 */
export async function fileDriver(
  t: { teardown(fn: () => Promise<void>): void },
  overrides: Partial<DriverOptions> = {},
): Promise<{ driver: NginxDriver; root: string; port: number; name(base: string): string }> {
  const root = await tempRoot();
  const port = await freePort();
  const driver = await makeDriver({ root, httpPort: port, ...overrides });
  const names: string[] = [];
  t.teardown(async () => {
    for (const n of names) await driver.remove({ id: '', name: n }).catch(() => undefined);
    await driver.stop();
    await assertNoDaemons(root);
    await removeUsers(names);
    await fs.rm(root, { recursive: true, force: true });
  });
  return {
    driver,
    root,
    port,
    name(base) {
      const n = uniqueName(base);
      names.push(n);
      return n;
    },
  };
}

/** A unique site name per test run, so parallel files and leftovers never collide. */
export function uniqueName(base: string): string {
  return `${base}-${randomUUID().slice(0, 6)}`;
}

export function site(name: string, overrides: Partial<SiteSpec> = {}): SiteSpec {
  return {
    id: randomUUID(),
    name,
    domains: [`${name}.example.test`],
    kind: 'static',
    phpVersion: null,
    state: 'active',
    resources: { phpMemoryMb: 128, phpMaxChildren: 3, uploadMaxMb: 16 },
    extraDirectives: null,
    wordpress: null,
    nodejs: null,
    ...overrides,
  };
}

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** GET through NGINX with a Host header, no keep-alive. */
export function get(port: number, host: string, urlPath = '/'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}

/**
 * Delete any system users the tests made for these site names, whatever install tag they carry
 * (the driver's remove does it too): found by their `hostplane site <name>[ <tag>]` comment.
 */
export async function removeUsers(names: string[]): Promise<void> {
  if (!isRoot || names.length === 0) return;
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  for (const name of names) {
    for (const line of passwd.split('\n')) {
      const [user, , , , comment] = line.split(':');
      const m = /^hostplane site (\S+)(?: ([a-z0-9]{4}))?$/.exec(comment ?? '');
      if (user && m?.[1] === name) await new SiteUsers('per-site', null, m[2] ?? '').remove(name);
    }
  }
}

export async function listFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && !full.endsWith('.log') && !full.endsWith('.pid') && !full.includes('/tmp/')) {
        const stat = await fs.stat(full);
        out.set(full, `${stat.mtimeMs}:${stat.size}:${stat.mode}`);
      }
    }
  };
  await walk(dir);
  return out;
}
