/**
 * Regenerate docs/api/openapi.json: boot a real kernel and host on a throwaway PostgreSQL
 * database with the examples/plugin-hello plugin enabled, fetch `GET /v1/openapi.json` through
 * inject, and write it with object keys sorted so the file only changes when the API does
 * (formatted by the repository's Prettier config, so `npm run lint` accepts it as written).
 *
 * Run from the repository root: `npm run docs:api`
 * (= node --conditions=@hostplane/source --import tsx host/scripts/openapi.ts).
 * Needs PostgreSQL: HOSTPLANE_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import hello from '../../examples/plugin-hello/src/index.js';
import accounts from '../../plugins/accounts/src/index.js';
import auth from '../../plugins/auth/src/index.js';
import databases from '../../plugins/databases/src/index.js';
import websites from '../../plugins/websites/src/index.js';
import billing from '../../plugins/billing/src/index.js';
import dns from '../../plugins/dns/src/index.js';
import backups from '../../plugins/backups/src/index.js';
import metering from '../../plugins/metering/src/index.js';
import sftp from '../../plugins/sftp/src/index.js';
import cronJobs from '../../plugins/cron-jobs/src/index.js';
import uptime from '../../plugins/uptime/src/index.js';
import deployments from '../../plugins/deployments/src/index.js';
import tlsAcme from '../../plugins/tls-acme/src/index.js';
import { startTestHost } from '@hostplane/testing';

const OUTPUT = fileURLToPath(new URL('../../docs/api/openapi.json', import.meta.url));

/** A copy of `value` with the keys of every object in sorted order (arrays keep theirs). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}

async function main(): Promise<void> {
  // No workers: the document only needs the routes, not jobs or schedules running.
  // Every first-party plugin with routes (the web server driver has none), and the example.
  const plugins = [
    { definition: auth, version: '0.1.0' },
    { definition: accounts, version: '0.1.0' },
    { definition: websites, version: '0.1.0' },
    { definition: billing, version: '0.1.0' },
    { definition: dns, version: '0.1.0' },
    { definition: databases, version: '0.1.0' },
    { definition: backups, version: '0.1.0' },
    { definition: metering, version: '0.1.0' },
    { definition: sftp, version: '0.1.0' },
    { definition: cronJobs, version: '0.1.0' },
    { definition: uptime, version: '0.1.0' },
    { definition: deployments, version: '0.1.0' },
    { definition: tlsAcme, version: '0.1.0' },
    { definition: hello, version: '0.1.0' },
  ];
  const host = await startTestHost({ plugins, runWorkers: false });
  try {
    for (const { definition } of plugins) {
      const state = host.kernel.plugin(definition.id)?.state;
      if (state !== 'started') throw new Error(`the ${definition.id} plugin did not start (state: ${String(state)})`);
    }
    const res = await host.inject({ method: 'GET', url: '/v1/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /v1/openapi.json answered ${res.statusCode}: ${res.body}`);
    const document = sortKeys(res.json());
    await mkdir(dirname(OUTPUT), { recursive: true });
    const options = (await prettier.resolveConfig(OUTPUT)) ?? {};
    await writeFile(OUTPUT, await prettier.format(JSON.stringify(document, null, 2), { ...options, filepath: OUTPUT }));
    process.stdout.write(`wrote ${relative(process.cwd(), OUTPUT) || OUTPUT}\n`);
  } finally {
    await host.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
