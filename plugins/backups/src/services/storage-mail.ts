/** The mail to a customer whose scheduled backups were skipped: the backup storage is used up. */
import type { MailMessage } from '@hostplane/sdk';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function storageFullMail(input: { to: string; used: number; limit: number; sites: string[] }): MailMessage {
  const figure = `${input.used} MB of ${input.limit} MB`;
  const sites = input.sites.join(', ');
  const consequence =
    'New backups are not made until older ones are removed by the retention policy, you delete some, or you upgrade your package.';
  const text = [`Your backups use ${figure} of backup storage.`, `Scheduled backups of ${sites} were skipped.`, consequence].join(
    '\n\n',
  );
  const html =
    `<p>Your backups use <strong>${escape(figure)}</strong> of backup storage.</p>` +
    `<p>Scheduled backups of ${escape(sites)} were skipped.</p><p>${escape(consequence)}</p>`;
  return {
    to: input.to,
    subject: 'Your backups were skipped: backup storage is used up',
    text: `${text}\n`,
    html,
    tag: 'backups.storage-full',
  };
}
