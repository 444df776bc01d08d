import t from 'tap';
import { createMailerService, listOutbox } from '../src/services/mailer.js';
import { useTestDatabase } from './helpers/database.js';

const { knex } = await useTestDatabase(t);

t.test('a sent mail lands in the outbox with its source', async (t) => {
  const mailer = createMailerService(knex, 'auth');
  const { id } = await mailer.send({
    to: '  Ada@Example.COM ',
    subject: 'Verify your address',
    text: 'Click the link',
    html: '<p>Click the link</p>',
    tag: 'auth.verify-email',
  });
  t.match(id, /^[0-9a-f-]{36}$/);
  const [mail] = await listOutbox(knex, { to: 'ADA@example.com' });
  t.match(mail, {
    id,
    to: 'ada@example.com',
    subject: 'Verify your address',
    text: 'Click the link',
    html: '<p>Click the link</p>',
    tag: 'auth.verify-email',
    source: 'auth',
  });
  t.ok(!Number.isNaN(Date.parse(mail!.createdAt)));
});

t.test('optional parts are null and the newest mail comes first', async (t) => {
  const mailer = createMailerService(knex, 'core');
  await mailer.send({ to: 'grace@example.com', subject: 'One', text: '' });
  await mailer.send({ to: 'grace@example.com', subject: 'Two', text: 'second' });
  const mails = await listOutbox(knex, { to: 'grace@example.com' });
  t.same(
    mails.map((m) => m.subject),
    ['Two', 'One'],
  );
  t.match(mails[1], { html: null, tag: null, text: '' });
  t.equal((await listOutbox(knex, { to: 'grace@example.com', limit: 1 })).length, 1);
  t.equal((await listOutbox(knex)).length, 3);
  t.same(await listOutbox(knex, { to: 'nobody@example.com' }), []);
});

t.test('inside a transaction the mail exists only if it commits', async (t) => {
  const mailer = createMailerService(knex, 'txn');
  await knex
    .transaction(async (trx) => {
      await mailer.send({ to: 'txn@example.com', subject: 'Gone', text: '' }, { trx });
      throw new Error('rollback');
    })
    .catch(() => undefined);
  t.same(await listOutbox(knex, { to: 'txn@example.com' }), []);
  await knex.transaction((trx) => mailer.send({ to: 'txn@example.com', subject: 'Kept', text: '' }, { trx }));
  t.equal((await listOutbox(knex, { to: 'txn@example.com' })).length, 1);
});

t.test('bad mails are refused with a 400 code', async (t) => {
  const mailer = createMailerService(knex, 'bad');
  const ok = { to: 'x@example.com', subject: 'S', text: 'T' };
  const bad: unknown[] = [
    null,
    { ...ok, to: 'not an address' },
    { ...ok, to: 'a@example.com, b@example.com' },
    { ...ok, to: 'a@example.com\r\nBcc: evil@example.com' },
    { ...ok, to: undefined },
    { ...ok, subject: '' },
    { ...ok, subject: '   ' },
    { ...ok, subject: 'Hi\r\nBcc: evil@example.com' },
    { ...ok, subject: 's'.repeat(999) },
    { ...ok, text: undefined },
    { ...ok, html: 5 },
    { ...ok, tag: 't'.repeat(201) },
    { ...ok, text: 'nul\u0000' },
    { ...ok, fromName: 'Evil\r\nBcc: x@example.com' },
    { ...ok, fromName: '' },
    { ...ok, fromName: 'n'.repeat(201) },
    { ...ok, replyTo: 'not an address' },
    { ...ok, attachments: 'file' },
    { ...ok, attachments: [null] },
    { ...ok, attachments: [{ filename: '../etc/passwd', contentType: 'text/plain', content: new Uint8Array(1) }] },
    { ...ok, attachments: [{ filename: 'a\u0000.pdf', contentType: 'application/pdf', content: new Uint8Array(1) }] },
    { ...ok, attachments: [{ filename: 'a.pdf', contentType: 'application/pdf\r\nX: y', content: new Uint8Array(1) }] },
    { ...ok, attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: 'base64 text' }] },
    {
      ...ok,
      attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: new Uint8Array(10 * 1024 * 1024 + 1) }],
    },
  ];
  for (const [index, message] of bad.entries()) {
    await t.rejects(
      mailer.send(message as never),
      { code: 'MAILER_ERR_MESSAGE_INVALID', statusCode: 400 },
      // Bytes as their length: the 10 MB case would make a label of tens of megabytes.
      `bad[${index}] ${JSON.stringify(message, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`,
    );
  }
  t.equal((await listOutbox(knex)).filter((m) => m.source === 'bad').length, 0);
  await t.rejects(listOutbox(knex, { limit: -1 }), { code: 'MAILER_ERR_FILTER_INVALID' });
  await t.rejects(listOutbox(knex, { to: 5 as never }), { code: 'MAILER_ERR_FILTER_INVALID' });
  t.throws(() => createMailerService(knex, ''), TypeError);
});
