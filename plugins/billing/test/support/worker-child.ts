/**
 * A host's kernel with job workers in a process of its own, for the test that SIGKILLs it in
 * the middle of an invoice run: boots accounts, payment-manual and billing on the database given
 * as the first argument (secret key in HOSTPLANE_SECRET_KEY) and prints `ready`.
 * Run with `node --conditions=@hostplane/source --import tsx`.
 */
import { tmpdir } from 'node:os';
import { Kernel, openDatabase } from '@hostplane/core';
import type { Logger } from '@hostplane/sdk';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import { pino } from 'pino';
import billing from '../../src/index.js';

const url = process.argv[2];
if (!url || !process.env.HOSTPLANE_SECRET_KEY)
  throw new Error('usage: worker-child.ts <database url> (HOSTPLANE_SECRET_KEY set)');
await Kernel.boot({
  database: await openDatabase({ url, dataDir: tmpdir(), poolMax: 6 }),
  logger: pino({ level: 'silent' }) as unknown as Logger,
  inlinePlugins: [accounts, manual, billing].map((definition) => ({ definition, version: '0.1.0' })),
  secrets: { key: process.env.HOSTPLANE_SECRET_KEY },
  schedules: 'manual',
  listen: false,
  taskThreads: 1,
});
process.stdout.write('ready\n');
