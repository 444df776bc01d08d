/** The quota mails say what was used and what happens next, for each level and action. */
import { renderTemplate } from '@hostplane/core';
import t from 'tap';
import { meteringMails, quotaExceededMail, quotaWarningMail } from '../src/services/mail.js';

const brand = { issuer: 'platform', name: 'Hostplane', logoUrl: null, color: '#1d4ed8', replyTo: null };

t.test('samples render', async (t) => {
  for (const template of meteringMails) t.ok(renderTemplate(template, template.sample, brand).subject, template.id);
});

t.test('wording per level, resource and action', async (t) => {
  const disk = { resource: 'disk_mb', used: 850.2, limit: 1000, period: '2026-12', action: 'notified' } as const;
  const warning = renderTemplate(quotaWarningMail, disk, brand);
  t.equal(warning.subject, "Your hosting package's disk space is nearly used up");
  t.match(warning.text, /^You use 851 MB of 1000 MB\.\n\nFree space or upgrade/);
  const full = renderTemplate(quotaExceededMail, { ...disk, used: 1000 }, brand);
  t.equal(full.subject, "Your hosting package's disk space is used up");
  t.match(full.text, 'New websites and file uploads are refused');
  const bandwidth = { resource: 'bandwidth_gb', used: 101.456, limit: 100, period: '2026-12' } as const;
  t.match(renderTemplate(quotaExceededMail, { ...bandwidth, action: 'suspended' }, brand).text, '101.46 GB of 100 GB');
  t.match(renderTemplate(quotaExceededMail, { ...bandwidth, action: 'suspended' }, brand).text, 'suspended');
  t.match(renderTemplate(quotaExceededMail, { ...bandwidth, action: 'throttled' }, brand).text, 'reduced speed');
  t.equal(
    renderTemplate(quotaExceededMail, { ...bandwidth, action: 'notified' }, brand).subject,
    "Your hosting package's bandwidth for 2026-12 is used up",
  );
  t.throws(() => renderTemplate(quotaWarningMail, { ...disk, resource: 'cpu' }, brand), { code: 'MAILER_ERR_VARIABLES_INVALID' });
});
