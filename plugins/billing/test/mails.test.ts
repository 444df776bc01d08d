/** Billing's mail templates and its mail-branding source's logo handling. */
import { renderTemplate } from '@hostplane/core';
import t from 'tap';
import { logoDataUrl } from '../src/services/mail-branding.js';
import { billingMails, invoiceOverdueMail, invoiceReminderMail } from '../src/services/mails.js';

const brand = { issuer: 'platform', name: 'Hostplane', logoUrl: null, color: '#1d4ed8', replyTo: null };

t.test('samples render; reminders word the day relative to the due date', async (t) => {
  for (const template of billingMails) t.ok(renderTemplate(template, template.sample, brand).subject, template.id);
  const base = { customerName: 'Ada', number: 'INV-1', dueDate: '2026-12-19', left: '5.00 EUR' };
  t.equal(
    renderTemplate(invoiceReminderMail, { ...base, day: -3 }, brand).subject,
    'Reminder: invoice INV-1 is due on 2026-12-19',
  );
  t.equal(renderTemplate(invoiceReminderMail, { ...base, day: 0 }, brand).subject, 'Reminder: invoice INV-1 is due today');
  const overdue = renderTemplate(invoiceOverdueMail, { ...base, day: 7 }, brand);
  t.equal(overdue.subject, 'Overdue: invoice INV-1');
  t.match(overdue.text, 'invoice INV-1 of Hostplane was due on 2026-12-19 (7 days ago): 5.00 EUR left to pay.');
});

t.test('a logo becomes a data URL only when it is a small PNG or JPEG', async (t) => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);
  t.match(logoDataUrl(png), /^data:image\/png;base64,/);
  t.match(logoDataUrl(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), /^data:image\/jpeg;base64,/);
  t.equal(logoDataUrl(new TextEncoder().encode('<svg onload="x">')), null, 'SVG can carry script');
  const huge = new Uint8Array(300 * 1024);
  huge.set(png);
  t.equal(logoDataUrl(huge), null, 'too large for every mail');
});
