/**
 * Credit notes as documents: a refund's credit note is rendered on the worker pool with the
 * invoice's fonts and the issuer's logo (read back with `pdftotext`, `pdffonts`, `pdfimages`),
 * stored once (every download the same bytes), downloadable by whoever sees its invoice and by
 * nobody else, and mailed to the customer with the PDF attached, once, queued with the refund
 * itself (a refused refund mails nothing); a real SMTP server (`smtp-server`) receives it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailDelivery } from '@hostplane/core';
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import { caller, makeUser, sqlOf, type TestUser } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
function missing(): string | null {
  if (!existsSync(FONT)) return `needs ${FONT} (apt-get install fonts-dejavu-core)`;
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    return 'needs pdftotext (apt-get install poppler-utils)';
  }
  return null;
}
const reason = missing();
if (reason && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
if (reason) {
  t.skip(reason);
} else {
  await main();
}

async function main(): Promise<void> {
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, { definition: manual, version: '0.1.0' }, billing],
    clock: '2026-12-05T01:00:00Z',
  });
  const sql = sqlOf(host);
  t.teardown(async () => {
    await sql.destroy();
    await host.close();
  });

  const admin = await makeUser(sql, 'super_admin');
  const reseller = await makeUser(sql, 'reseller', admin, { name: 'Ümlaut Hosting GmbH' });
  const customer = await makeUser(sql, 'customer', reseller, { name: 'Анна Шмидт' });
  const technical = await makeUser(sql, 'technical_user', customer);
  const otherReseller = await makeUser(sql, 'reseller', admin);
  const otherCustomer = await makeUser(sql, 'customer', otherReseller);
  // A 1×1 PNG as the issuer's logo.
  const logo = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
  await sql('plugin_billing.issuers').insert({
    issuer: reseller.id,
    name: 'Ümlaut Hosting GmbH',
    address: 'Hauptstraße 1, 10115 Berlin',
    country: 'DE',
    tax_id: 'DE123456789',
    logo,
  });
  await sql('plugin_billing.tax_rates').insert({ issuer: reseller.id, country: 'DE', name: 'USt', rate_bp: 1900 });
  await sql('plugin_billing.billing_profiles').insert({ user_id: customer.id, country: 'DE', address: 'Невский проспект 1' });
  const asReseller = caller(host, reseller);

  /** A paid one-off invoice of 10.00 EUR + 19 % to the customer. */
  async function paidInvoice(): Promise<{ id: string; number: string }> {
    const res = await asReseller.post('/v1/invoices', {
      customerId: customer.id,
      currency: 'EUR',
      lines: [{ description: 'Migration', unitAmount: 1000 }],
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    const paid = await asReseller.post(`/v1/invoices/${res.body.id}/mark-paid`, { reference: 'SEPA 1' });
    if (paid.status !== 200) throw new Error(JSON.stringify(paid.body));
    return res.body;
  }
  const creditNoteMails = async (to: TestUser) =>
    (await host.kernel.listOutbox({ to: to.email })).filter((m) => m.tag === 'billing.credit-note-issued');

  const invoice = await paidInvoice();
  await host.drainJobs();
  const refunded = await asReseller.post(`/v1/invoices/${invoice.id}/refund`, {
    amount: 595,
    reason: 'Отмена: half a month unused',
  });
  if (refunded.status !== 200) throw new Error(JSON.stringify(refunded.body));
  const note = refunded.body.creditNote as { id: string; number: string };
  await host.drainJobs();
  const url = `/v1/invoices/${invoice.id}/credit-notes/${note.id}/download`;

  t.test('the credit note PDF prints the parties, the corrected invoice and the credited amounts', async (t) => {
    const headers = host.headersFor('customer', { userId: customer.id });
    const first = await host.inject({ method: 'GET', url, headers });
    t.equal(first.statusCode, 200);
    t.match(first.headers['content-type'], /application\/pdf/);
    t.match(first.headers['content-disposition'], new RegExp(`filename="${note.number}.pdf"`));
    const bytes = first.rawBody;
    t.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const again = await host.inject({ method: 'GET', url, headers });
    t.ok(again.rawBody.equals(bytes), 'every download is the same bytes');
    const stored = await sql('plugin_billing.credit_note_documents').where({ credit_note_id: note.id }).first('pdf');
    t.ok((stored.pdf as Buffer).equals(bytes), 'the stored document');

    const dir = mkdtempSync(join(tmpdir(), 'credit-note-pdf-'));
    const file = join(dir, 'credit-note.pdf');
    writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const expected of [
      `Credit note ${note.number}`,
      'Issued 2026-12-05',
      `Corrects invoice ${invoice.number} of 2026-12-05 (11.90 EUR)`,
      'Ümlaut Hosting GmbH',
      'Hauptstraße 1',
      'Tax id: DE123456789',
      'Анна Шмидт',
      'Невский проспект 1',
      'Отмена: half a month unused',
      'Tax (USt 19 %)',
      '5.00 EUR',
      '0.95 EUR',
      '5.95 EUR',
      'paid back the way the invoice was paid',
    ]) {
      t.ok(text.includes(expected), `prints "${expected}"`);
    }
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    t.match(fonts, /DejaVuSans\s.*\byes\b/, 'the font is embedded');
    t.match(execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }), /\b1\s+1\s+rgb/, 'the logo is in it');
  });

  t.test('the invoice lists the note with the date its PDF prints', async (t) => {
    const detail = await caller(host, customer).get(`/v1/invoices/${invoice.id}`);
    t.match(detail.body.creditNotes, [{ id: note.id, number: note.number, issueDate: '2026-12-05', total: 595 }]);
  });

  t.test('who may download it: whoever sees the invoice; anyone else gets a 404', async (t) => {
    const cases: Array<[string, TestUser, number]> = [
      ['the customer', customer, 200],
      ['the issuing reseller', reseller, 200],
      ['an administrator', admin, 200],
      ['the customer’s technical user (invoices are outside its subtree)', technical, 404],
      ['another reseller', otherReseller, 404],
      ['another reseller’s customer', otherCustomer, 404],
    ];
    for (const [who, user, status] of cases) {
      const res = await host.inject({ method: 'GET', url, headers: host.headersFor(user.role, { userId: user.id }) });
      t.equal(res.statusCode, status, who);
      if (status === 404) t.equal(JSON.parse(res.body).error.code, 'BILLING_ERR_INVOICE_NOT_FOUND', `${who}: not told it exists`);
    }
    t.equal((await host.inject({ method: 'GET', url })).statusCode, 401, 'without a session');
  });

  t.test('a note is found only under its own invoice; bad ids are 400', async (t) => {
    const other = await paidInvoice();
    const asCustomer = caller(host, customer);
    let res = await asCustomer.get(`/v1/invoices/${other.id}/credit-notes/${note.id}/download`);
    t.match(res, { status: 404, body: { error: { code: 'BILLING_ERR_CREDIT_NOTE_NOT_FOUND' } } }, 'another invoice of hers');
    res = await asCustomer.get(`/v1/invoices/${invoice.id}/credit-notes/00000000-0000-4000-8000-000000000000/download`);
    t.match(res, { status: 404, body: { error: { code: 'BILLING_ERR_CREDIT_NOTE_NOT_FOUND' } } }, 'an unknown note');
    res = await asCustomer.get(`/v1/invoices/${invoice.id}/credit-notes/not-a-uuid/download`);
    t.equal(res.status, 400);
  });

  t.test('the mail is queued with the refund, once, with the stored PDF attached', async (t) => {
    const [mail, ...more] = await creditNoteMails(customer);
    t.same(more, [], 'one mail');
    t.match(mail, {
      subject: `Credit note ${note.number} from Ümlaut Hosting GmbH`,
      fromName: 'Ümlaut Hosting GmbH',
      attachments: [{ filename: `${note.number}.pdf`, contentType: 'application/pdf' }],
    });
    t.match(mail!.text, new RegExp(`credit note ${note.number} on invoice ${invoice.number} is attached: 5\\.95 EUR given back`));
    // The job again (a retry after a crash): nothing more is queued.
    await host.kernel.jobs.enqueue('billing:deliver-credit-note', { creditNoteId: note.id });
    await host.drainJobs();
    t.equal((await creditNoteMails(customer)).length, 1, 'still one mail');
  });

  t.test('a refund to credit says so; a refused refund issues no note and mails nothing', async (t) => {
    const before = (await creditNoteMails(customer)).length;
    const inv = await paidInvoice();
    const refused = await asReseller.post(`/v1/invoices/${inv.id}/refund`, { amount: 5000 });
    t.match(refused, { status: 400, body: { error: { code: 'BILLING_ERR_REFUND_EXCEEDS_PAID' } } });
    await host.drainJobs();
    t.equal((await creditNoteMails(customer)).length, before, 'nothing for the refused refund');
    const res = await asReseller.post(`/v1/invoices/${inv.id}/refund`, { to: 'credit' });
    t.equal(res.status, 200);
    await host.drainJobs();
    const [latest] = await creditNoteMails(customer);
    t.equal((await creditNoteMails(customer)).length, before + 1);
    t.match(latest!.text, /11\.90 EUR added to your credit balance/);
    const pdf = await host.inject({
      method: 'GET',
      url: `/v1/invoices/${inv.id}/credit-notes/${res.body.creditNote.id}/download`,
      headers: host.headersFor('customer', { userId: customer.id }),
    });
    const dir = mkdtempSync(join(tmpdir(), 'credit-note-pdf-'));
    writeFileSync(join(dir, 'cn.pdf'), pdf.rawBody);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'cn.pdf'), '-'], { encoding: 'utf8' });
    t.ok(text.includes('added to your credit balance'), 'the PDF says where the money went');
  });

  t.test('a real SMTP server receives the credit-note mail with the stored PDF attached', async (t) => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => smtp.close(resolve)));
    const delivery = new MailDelivery(sql, pino({ level: 'silent' }) as unknown as Logger, {
      smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
      from: 'billing@platform.example',
    });
    t.teardown(() => delivery.stop());
    await delivery.deliverDue();
    const mails = received.filter((raw) => raw.includes(`filename=${note.number}.pdf`) || raw.includes(`"${note.number}.pdf"`));
    t.equal(mails.length, 1, 'one mail with this note');
    const raw = mails[0]!;
    t.match(raw, new RegExp(`^To: ${customer.email}\\r?$`, 'm'));
    t.match(raw, /^From: =\?UTF-8\?Q\?=C3=9Cmlaut_Hosting_GmbH\?= <billing@platform\.example>\r?$/m);
    const part = /Content-Type: application\/pdf[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(raw);
    t.ok(part, 'a PDF part');
    const attached = Buffer.from(part![1]!.replace(/\r\n/g, ''), 'base64');
    const stored = (await sql('plugin_billing.credit_note_documents').where({ credit_note_id: note.id }).first('pdf'))
      .pdf as Buffer;
    t.ok(attached.equals(stored), 'the attachment is the stored PDF');
  });
}
