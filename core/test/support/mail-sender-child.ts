/**
 * A mail sender in a process of its own, for the test that kills it mid-send: delivers the
 * outbox of the database given as the first argument to the SMTP URL given as the second.
 * Run with `node --conditions=@hostplane/source --import tsx`.
 */
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/open-database.js';
import { MailDelivery } from '../../src/mail/delivery.js';

const [url, smtpUrl] = process.argv.slice(2);
if (!url || !smtpUrl) throw new Error('usage: mail-sender-child.ts <database url> <smtp url>');
const database = await openDatabase({ url, dataDir: '/tmp', poolMax: 2 });
const delivery = new MailDelivery(database.knex, pino({ level: 'silent' }) as unknown as Logger, {
  smtpUrl,
  from: 'platform@example.com',
});
process.stdout.write('ready\n');
await delivery.deliverDue();
await delivery.stop();
await database.close();
