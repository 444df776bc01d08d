/** Shared by the tests: a managed pdns_server on free ports, a fresh database, and dig against it. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { PowerDnsConfig, dropDatabase } from '../src/index.js';
import { freePort } from '@hostplane/testing/free-port';

export { freePort };

const exec = promisify(execFile);

export const ADMIN_URL = process.env.HOSTPLANE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Why the system tests cannot run here, or null. HOSTPLANE_REQUIRE_SYSTEM=1 makes it a failure. */
export function systemMissing(): string | null {
  const missing: string[] = [];
  if (!executable('/usr/sbin/pdns_server')) missing.push('/usr/sbin/pdns_server (pdns-server)');
  try {
    accessSync('/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql');
  } catch {
    missing.push('the gpgsql schema (pdns-backend-pgsql)');
  }
  if (!executable('/usr/bin/dig')) missing.push('/usr/bin/dig (dnsutils)');
  if (missing.length === 0) return null;
  const reason = `needs ${missing.join(', ')}: apt-get install pdns-server pdns-backend-pgsql dnsutils`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

/** A managed config on a temp root, free ports and a database of its own (dropped by `cleanup`). */
export async function managedConfig(): Promise<{ config: PowerDnsConfig; cleanup: () => Promise<void> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-pdns-'));
  const databaseName = `hp_pdns_test_${randomBytes(4).toString('hex')}`;
  const config = Value.Default(PowerDnsConfig, {
    mode: 'managed',
    root,
    dnsPort: await freePort(),
    apiPort: await freePort(),
    databaseUrl: ADMIN_URL,
    databaseName,
  }) as PowerDnsConfig;
  stopAtExit(root);
  return {
    config,
    cleanup: async () => {
      killUnder(root);
      await dropDatabase(ADMIN_URL, databaseName);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** Live pdns_server processes whose command line names `root`. */
export function pdnsUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let cmd = '';
    let stat = '';
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes('pdns_server') && cmd.includes(`${root}/`) && stat[stat.lastIndexOf(')') + 2] !== 'Z')
      pids.push(Number(entry));
  }
  return pids;
}

function killUnder(root: string): void {
  for (const pid of pdnsUnder(root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** A test file that times out is ended without its teardowns: its servers must not outlive it. */
function stopAtExit(root: string): void {
  process.once('exit', () => killUnder(root));
}

/** `dig +short` against the server: record data as presentation text, one per answer. */
export async function dig(port: number, name: string, type: string): Promise<string[]> {
  const { stdout } = await exec('/usr/bin/dig', [
    '@127.0.0.1',
    '-p',
    String(port),
    '+short',
    '+norecurse',
    '+time=2',
    '+tries=2',
    name,
    type,
  ]);
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith(';'))
    .map((l) => l.replace(/\.$/, (m) => (type === 'CNAME' || type === 'NS' ? m : m)));
}
