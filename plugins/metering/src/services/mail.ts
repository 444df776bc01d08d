/** The quota mail, in text and HTML (values escaped), tagged for finding it in the outbox. */
import type { MailMessage } from '@hostplane/sdk';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function quotaMail(input: {
  to: string;
  resource: 'disk_mb' | 'bandwidth_gb';
  level: 'warning' | 'exceeded';
  used: number;
  limit: number;
  period: string;
  action: 'notified' | 'suspended' | 'throttled';
}): MailMessage {
  const disk = input.resource === 'disk_mb';
  const what = disk ? 'disk space' : `bandwidth for ${input.period}`;
  const unit = disk ? 'MB' : 'GB';
  const figure = `${disk ? Math.ceil(input.used) : input.used.toFixed(2)} ${unit} of ${input.limit} ${unit}`;
  const subject =
    input.level === 'warning' ? `Your hosting package's ${what} is nearly used up` : `Your hosting package's ${what} is used up`;
  const consequence =
    input.action === 'suspended'
      ? 'Your subscription has been suspended until an administrator lifts the suspension.'
      : input.action === 'throttled'
        ? 'Your websites are served at a reduced speed until the end of the month, or until you upgrade your package.'
        : input.level === 'exceeded' && disk
          ? 'New websites and file uploads are refused until you free space or upgrade your package.'
          : input.level === 'exceeded'
            ? 'Please upgrade your package or contact us.'
            : 'Free space or upgrade your package before it runs out.';
  const text = [`You use ${figure}.`, consequence].join('\n\n');
  const html = `<p>You use <strong>${escape(figure)}</strong>.</p><p>${escape(consequence)}</p>`;
  return { to: input.to, subject, text: `${text}\n`, html, tag: `metering.quota-${input.level}` };
}
