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
  'deployments',
];

export async function liveSchemaDoc(): Promise<string> {
  const db = await createTestDatabase('hostplane_erd');
  const dataDir = await mkdtemp(join(tmpdir(), 'hp-erd-'));
  try {
    const env = { ...process.env, DATABASE_URL: db.url, HOSTPLANE_DATA_DIR: dataDir };
    let errors = '';
    const io = { out: () => undefined, err: (text: string) => void (errors += `${text}\n`) };
    // A web server binary that cannot exist: the plugin starts degraded (its migrations ran)
    // and runs no NGINX, whatever this machine has installed.
    const steps = [
      ['migrate', 'up'],
      ...FIRST_PARTY.map((id) => ['plugins', 'enable', id]),
      ['plugins', 'config', 'set', 'webserver-nginx', 'nginxBinary=/nonexistent/hostplane-erd/nginx'],
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
    await rm(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}
