/** docs/schema.md's content from a fresh database with every first-party plugin enabled. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createTestDatabase } from '@hostplane/core';
import pg from 'pg';
import { openKernel } from '../src/boot.js';
import { runCli } from '../src/cli/run.js';
import { loadConfig } from '../src/config.js';
import { renderErd, schemaDoc } from './erd-render.js';

// Every first-party plugin, in an order where each one's requirements come first.
const FIRST_PARTY = [
  'accounts',
  'auth',
  'websites',
  'webserver-nginx',
  'databases',
  'databases-mariadb',
  'databases-postgresql',
  'dns',
  'dns-powerdns',
  'dns-rfc2136',
  'tls-acme',
  'billing',
  'payment-manual',
  'payment-stripe',
  'backups',
  'metering',
  'sftp',
  'cron-jobs',
  'uptime',
  'deployments',
];

const NO_BINARY = '/nonexistent/hostplane-erd';

export async function liveSchemaDoc(): Promise<string> {
  const db = await createTestDatabase('hostplane_erd');
  const dataDir = await mkdtemp(join(tmpdir(), 'hp-erd-'));
  // Plugins place their servers' folders under the process's HOSTPLANE_DATA_DIR, as they do under
  // `hostplane start`; without it they would use ./.hostplane of the checkout.
  const dataDirBefore = process.env.HOSTPLANE_DATA_DIR;
  process.env.HOSTPLANE_DATA_DIR = dataDir;
  try {
    const env = { ...process.env, DATABASE_URL: db.url, HOSTPLANE_DATA_DIR: dataDir };
    let errors = '';
    const io = { out: () => undefined, err: (text: string) => void (errors += `${text}\n`) };
    // Servers that cannot start: each plugin starts degraded (its migrations ran) and runs no
    // daemon, whatever this machine has installed. Only the schema is wanted here.
    const steps = [
      ['migrate', 'up'],
      ...FIRST_PARTY.map((id) => ['plugins', 'enable', id]),
      ['plugins', 'config', 'set', 'webserver-nginx', `nginxBinary=${NO_BINARY}/nginx`],
      ['plugins', 'config', 'set', 'databases-mariadb', 'mode=external', 'port=1'],
      ['plugins', 'config', 'set', 'databases-postgresql', 'mode=external', 'port=1'],
      ['plugins', 'config', 'set', 'dns-powerdns', `pdnsBinary=${NO_BINARY}/pdns_server`],
      ['plugins', 'config', 'set', 'sftp', `sshdBinary=${NO_BINARY}/sshd`],
    ];
    for (const argv of steps) {
      const code = await runCli(argv, io, env);
      if (code !== 0) throw new Error(`hostplane ${argv.join(' ')} exited ${code}: ${errors}`);
    }
    // Plugins migrate as they start: start them once, as `hostplane start` would.
    const config = loadConfig(env);
    const kernel = await openKernel(config, { mode: 'run', logger: createLogger({ level: 'silent' }) });
    const notStarted = kernel.plugins().filter((p) => FIRST_PARTY.includes(p.id) && p.state !== 'started');
    await kernel.stop();
    if (notStarted.length > 0)
      throw new Error(`not started: ${notStarted.map((p) => `${p.id} (${p.error?.message})`).join(', ')}`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const diagram = await renderErd(client);
      return schemaDoc(diagram, (diagram.match(/ \{$/gm) ?? []).length);
    } finally {
      await client.end();
    }
  } finally {
    if (dataDirBefore === undefined) delete process.env.HOSTPLANE_DATA_DIR;
    else process.env.HOSTPLANE_DATA_DIR = dataDirBefore;
    await rm(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}
