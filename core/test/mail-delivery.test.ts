import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import t, { type Test } from 'tap';
import { MailDelivery, backoffMs, isTransient, requeueMail, type MailDeliveryOptions } from '../src/mail/delivery.js';
import { createMailerService, listOutbox } from '../src/services/mailer.js';
import { useTestDatabase } from './helpers/database.js';

const { knex, url } = await useTestDatabase(t);
const logger = pino({ level: 'silent' }) as unknown as Logger;
const child = fileURLToPath(new URL('./support/mail-sender-child.ts', import.meta.url));

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** What the test SMTP server does with the next RCPT TO / DATA, by recipient. */
const rcptReplies = new Map<string, Array<{ code: number; message: string }>>();
let onDataHook: ((raw: string) => Promise<void>) | undefined;
const received: Received[] = [];

// One real SMTP server for the file (smtp-server: the same protocol code path as any MTA).
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, callback) {
    const reply = rcptReplies.get(address.address)?.shift();
    if (reply) {
      const error = Object.assign(new Error(reply.message), { responseCode: reply.code });
      return callback(error);
    }
    callback();
  },
  onData(stream: SMTPServerDataStream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const done = (): void => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      };
      if (onDataHook) void onDataHook(raw).then(done, done);
      else done();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => smtp.close(resolve)));
const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;

const mailer = createMailerService(knex, 'billing');

function delivery(options: Partial<MailDeliveryOptions> = {}): MailDelivery {
  const d = new MailDelivery(knex, logger, { smtpUrl, from: 'platform@example.com', retryBaseMs: 50, ...options });
  t.teardown(() => d.stop());
  return d;
}

async function outboxRow(id: string): Promise<Record<string, unknown>> {
  return (await knex('hostplane.outbox').where({ id }).first())!;
}

/** A TCP listener that accepts and says nothing: the SMTP greeting never comes. Its URL. */
async function silentServer(t: Test): Promise<string> {
  const silent: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  return `smtp://127.0.0.1:${(silent.address() as { port: number }).port}`;
}

const copiesTo = (address: string): Received[] => received.filter((r) => r.to.includes(address));

t.test('a mail leaves over SMTP with its sender name, reply-to, attachment and fixed Message-ID', async (t) => {
  const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x00, 0xff, 0x10]);
  const { id } = await mailer.send({
    to: 'ada@example.com',
    subject: 'Invoice INV-2026-0001',
    text: 'Your invoice is attached.',
    fromName: 'Ümlaut Hosting GmbH',
    replyTo: 'billing@umlaut.example',
    attachments: [{ filename: 'INV-2026-0001.pdf', contentType: 'application/pdf', content: pdf }],
  });
  const pass = await delivery().deliverDue();
  t.match(pass, { sent: 1, retried: 0, failed: 0 });
  const [copy] = copiesTo('ada@example.com');
  t.ok(copy, 'the server received it');
  t.equal(copy!.from, 'platform@example.com', 'the envelope sender is the platform address');
  t.match(copy!.raw, /^From: =\?UTF-8\?Q\?=C3=9Cmlaut_Hosting_GmbH\?= <platform@example\.com>\r?$/m);
  t.match(copy!.raw, /^Reply-To: billing@umlaut\.example\r?$/m);
  t.match(copy!.raw, /filename=INV-2026-0001\.pdf/);
  t.ok(copy!.raw.includes(Buffer.from(pdf).toString('base64')), 'the attachment bytes arrive unchanged');
  const row = await outboxRow(id);
  t.match(row, { status: 'sent', attempts: 1, last_error: null });
  t.ok(row.sent_at);
  t.match(copy!.raw, new RegExp(`^Message-ID: ${String(row.message_id).replace(/[.]/g, '\\.')}\\r?$`, 'm'));
  const [listed] = await listOutbox(knex, { to: 'ada@example.com' });
  t.match(listed, {
    status: 'sent',
    fromName: 'Ümlaut Hosting GmbH',
    attachments: [{ filename: 'INV-2026-0001.pdf', size: pdf.length }],
  });
});

t.test('a 4xx reply is retried with backoff and the mail arrives once', async (t) => {
  rcptReplies.set('grace@example.com', [{ code: 451, message: 'Greylisted, try later' }]);
  const { id } = await mailer.send({ to: 'grace@example.com', subject: 'Welcome', text: 'Hi' });
  const d = delivery({ retryBaseMs: 300 });
  t.match(await d.deliverDue(), { sent: 0, retried: 1 });
  let row = await outboxRow(id);
  t.match(row, { status: 'queued', attempts: 1 });
  t.match(String(row.last_error), /Greylisted/);
  t.ok((row.next_attempt_at as Date).getTime() > Date.now() + 100, 'the next attempt waits');
  t.match(await d.deliverDue(), { sent: 0, retried: 0 }, 'not due yet');
  await new Promise((r) => setTimeout(r, 350));
  t.match(await d.deliverDue(), { sent: 1 });
  row = await outboxRow(id);
  t.match(row, { status: 'sent', attempts: 2 });
  t.equal(copiesTo('grace@example.com').length, 1);
});

t.test('a 5xx reply fails the mail without a retry', async (t) => {
  rcptReplies.set('nobody@example.com', [{ code: 550, message: 'No such user' }]);
  const { id } = await mailer.send({ to: 'nobody@example.com', subject: 'Welcome', text: 'Hi' });
  t.match(await delivery().deliverDue(), { failed: 1 });
  t.match(await outboxRow(id), { status: 'failed', attempts: 1 });
  t.equal(copiesTo('nobody@example.com').length, 0);
});

t.test('a server that never answers times out, is retried, and attempts run out', async (t) => {
  const silentUrl = await silentServer(t);
  const { id } = await mailer.send({ to: 'slow@example.com', subject: 'Hello', text: 'Hi' });
  const d = delivery({ smtpUrl: silentUrl, timeoutMs: 200, retryBaseMs: 10, maxAttempts: 2 });
  t.match(await d.deliverDue(), { retried: 1 });
  t.match(await outboxRow(id), { status: 'queued', attempts: 1 });
  await new Promise((r) => setTimeout(r, 30));
  t.match(await d.deliverDue(), { failed: 1 }, 'the second time-out is the last attempt');
  t.match(await outboxRow(id), { status: 'failed', attempts: 2 });
});

t.test('one pass tries a mail once, even when its retry is due before the pass ends', async (t) => {
  const silentUrl = await silentServer(t);
  const { id } = await mailer.send({ to: 'again@example.com', subject: 'Hello', text: 'Hi' });
  // No backoff: the retry is due the moment it is queued, inside the same pass.
  const d = delivery({ smtpUrl: silentUrl, timeoutMs: 100, retryBaseMs: 0, maxAttempts: 3 });
  t.match(await d.deliverDue(), { retried: 1, failed: 0 });
  t.match(await outboxRow(id), { status: 'queued', attempts: 1 });
  t.match(await d.deliverDue(), { retried: 1, failed: 0 }, 'the next pass tries it again');
  t.match(await outboxRow(id), { status: 'queued', attempts: 2 });
  t.match(await d.deliverDue(), { retried: 0, failed: 1 }, 'the third pass spends the last attempt');
  t.match(await outboxRow(id), { status: 'failed', attempts: 3 });
});

t.test('a sender killed between the SMTP transaction and its commit never sends a second copy', async (t) => {
  const { id } = await mailer.send({ to: 'crash@example.com', subject: 'Once only', text: 'Hi' });
  const sender = spawn(process.execPath, ['--conditions=@hostplane/source', '--import', 'tsx', child, url, smtpUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => sender.on('exit', (_code, signal) => resolve(signal)));
  // The server has the whole message; before it says 250, the sender dies.
  onDataHook = async () => {
    sender.kill('SIGKILL');
    await exited;
  };
  t.equal(await exited, 'SIGKILL');
  onDataHook = undefined;
  await new Promise((r) => setTimeout(r, 20));
  t.equal(copiesTo('crash@example.com').length, 1, 'the server got it once');
  t.match(await outboxRow(id), { status: 'sending', attempts: 1 }, 'the claim was committed before sending');

  const d = delivery({ claimTimeoutMs: 0 });
  t.match(await d.deliverDue(), { uncertain: 1, sent: 0 });
  t.match(await d.deliverDue(), { uncertain: 0, sent: 0 });
  t.match(await outboxRow(id), { status: 'uncertain' });
  t.equal(copiesTo('crash@example.com').length, 1, 'no second copy');

  t.ok(await requeueMail(knex, id), 'an admin may send it again');
  t.notOk(await requeueMail(knex, id), 'only once it is no longer queued');
  t.notOk(await requeueMail(knex, 'not-a-uuid'));
  t.match(await d.deliverDue(), { sent: 1 });
  t.equal(copiesTo('crash@example.com').length, 2);
});

t.test('two senders at once send each mail once', async (t) => {
  const ids = [];
  for (let i = 0; i < 6; i++) ids.push((await mailer.send({ to: `para${i}@example.com`, subject: 'Hi', text: 'x' })).id);
  const passes = await Promise.all([delivery().deliverDue(), delivery().deliverDue()]);
  t.equal(passes[0]!.sent + passes[1]!.sent, 6);
  for (let i = 0; i < 6; i++) t.equal(copiesTo(`para${i}@example.com`).length, 1);
  const rows = await knex('hostplane.outbox').whereIn('id', ids).select('status');
  t.ok(rows.every((r) => r.status === 'sent'));
});

t.test('a mail waiting longer than the maximum age expires instead of leaving', async (t) => {
  const { id } = await mailer.send({ to: 'old@example.com', subject: 'Stale link', text: 'x' });
  await knex('hostplane.outbox')
    .where({ id })
    .update({ next_attempt_at: knex.raw(`now() - interval '4 days'`) });
  t.match(await delivery().deliverDue(), { expired: 1, sent: 0 });
  t.match(await outboxRow(id), { status: 'expired' });
  t.equal(copiesTo('old@example.com').length, 0);
});

t.test('a plugin cannot insert a mail as already sent or pick its Message-ID', async (t) => {
  const [row] = await knex('hostplane.outbox')
    .insert({
      source: 'x',
      to_address: 'forge@example.com',
      subject: 's',
      text_body: 't',
      status: 'sent',
      message_id: '<a@b>',
      attempts: 9,
    })
    .returning(['status', 'message_id', 'attempts']);
  t.same(row, { status: 'queued', message_id: null, attempts: 0 });
});

t.test('transient and backoff rules', async (t) => {
  t.ok(isTransient({ responseCode: 421 }));
  t.ok(isTransient({ responseCode: 452 }));
  t.notOk(isTransient({ responseCode: 550 }));
  t.notOk(isTransient({ responseCode: 250 }));
  t.ok(isTransient({ code: 'ETIMEDOUT' }));
  t.ok(isTransient({ code: 'ECONNECTION' }));
  t.notOk(isTransient({ code: 'EAUTH' }));
  t.notOk(isTransient(new Error('boom')));
  t.same(
    [1, 2, 3, 4].map((n) => backoffMs(n, 60_000)),
    [60_000, 120_000, 240_000, 480_000],
  );
  t.equal(backoffMs(30, 60_000), 6 * 60 * 60 * 1000, 'capped at 6 h');
});
