/**
 * A job worker in a process of its own, for tests that kill it: runs `test:long` (which never
 * ends) on the database given as the first argument, and prints `picked <job id>` when it takes
 * one. Run with `node --conditions=@hostplane/source --import tsx`.
 */
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/open-database.js';
import { JobEngine } from '../../src/jobs/index.js';

const url = process.argv[2];
if (!url) throw new Error('usage: job-worker-child.ts <database url>');
const database = await openDatabase({ url, dataDir: '/tmp', poolMax: 2 });
const engine = new JobEngine({
  connectionString: url,
  knex: database.knex,
  logger: pino({ level: 'silent' }) as unknown as Logger,
  concurrency: 1,
});
await engine.setDefinitions([
  {
    name: 'test:long',
    maxAttempts: 3,
    handler: async (_payload, job) => {
      process.stdout.write(`picked ${job.id}\n`);
      await new Promise(() => {});
    },
  },
]);
await engine.start();
process.stdout.write('ready\n');
