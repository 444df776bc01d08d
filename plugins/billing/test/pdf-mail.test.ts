/**
 * The invoice PDF and its mail: rendered on the worker pool with embedded fonts (a Cyrillic name
 * prints), the issuer's logo and the tax breakdown, read back with `pdftotext`; stored once, so
 * every download is the same bytes; attached to the invoice mail, which a real SMTP server
 * (`smtp-server`) receives through the core mailer.
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
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
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
  const asAdmin = caller(host, admin);
  const pkg = (await asAdmin.post('/v1/packages', packageBody({ name: 'Basic', prices: { monthly: 1999 } }))).body.id;
  const sub = await asAdmin.post('/v1/subscriptions', {
    customerId: customer.id,
    packageId: pkg,
    billingCycle: 'monthly',
    nextDueDate: '2026-12-01',
  });
  await host.kernel.runCommand('billing', 'run', ['--date', '2026-12-05'], { out: () => undefined, err: () => undefined });
  await host.drainJobs();
  const invoice = await sql('plugin_billing.invoices').where({ subscription_id: sub.body.id }).first();

  t.test('the PDF prints the parties, lines and tax breakdown, with embedded fonts', async (t) => {
    const headers = host.headersFor('customer', { userId: customer.id });
    const first = await host.inject({ method: 'GET', url: `/v1/invoices/${invoice.id}/download`, headers });
    t.equal(first.statusCode, 200);
    t.match(first.headers['content-type'], /application\/pdf/);
    t.match(first.headers['content-disposition'], new RegExp(`filename="${invoice.number}.pdf"`));
    const bytes = first.rawBody;
    t.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const again = await host.inject({ method: 'GET', url: `/v1/invoices/${invoice.id}/download`, headers });
    t.ok(again.rawBody.equals(bytes), 'every download is the same bytes');

    const dir = mkdtempSync(join(tmpdir(), 'invoice-pdf-'));
    const file = join(dir, 'invoice.pdf');
    writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const expected of [
      `Invoice ${invoice.number}`,
      'Ümlaut Hosting GmbH',
      'Hauptstraße 1',
      'Tax id: DE123456789',
      'Анна Шмидт',
      'Невский проспект 1',
      'Basic (2026-12-01 – 2026-12-31)',
      'USt 19 % on 19.99 EUR',
      '3.80 EUR',
      '23.79 EUR',
      'Issued 2026-12-05, due 2026-12-19',
    ]) {
      t.ok(text.includes(expected), `prints "${expected}"`);
    }
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    t.match(fonts, /DejaVuSans\s.*\byes\b/, 'the font is embedded');
    t.match(execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }), /\b1\s+1\s+rgb/, 'the logo is in it');
  });

  t.test('the invoice mail leaves over SMTP with the stored PDF attached, once', async (t) => {
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
    // The deliver job ran once already (drained above); running it again queues nothing more.
    await host.kernel.jobs.enqueue('billing:deliver-invoice', { invoiceId: invoice.id });
    await host.drainJobs();
    t.match(await delivery.deliverDue(), { sent: 1 });
    const mails = received.filter((raw) => raw.includes(`To: ${customer.email}`));
    t.equal(mails.length, 1, 'one mail');
    const raw = mails[0]!;
    t.match(raw, /^From: =\?UTF-8\?Q\?=C3=9Cmlaut_Hosting_GmbH\?= <billing@platform\.example>\r?$/m);
    const part = /Content-Type: application\/pdf[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(raw);
    t.ok(part, 'a PDF part');
    const attached = Buffer.from(part![1]!.replace(/\r\n/g, ''), 'base64');
    const stored = (await sql('plugin_billing.invoice_documents').where({ invoice_id: invoice.id }).first('pdf')).pdf as Buffer;
    t.ok(attached.equals(stored), 'the attachment is the stored PDF');
  });
}
