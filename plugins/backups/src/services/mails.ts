/** The backup mail as a template (docs/decisions/0062), branded for the owner's reseller or the platform. */
import { defineMailTemplate, Type } from '@hostplane/sdk';

export const backupFailedMail = defineMailTemplate({
  id: 'backups.backup-failed',
  description: "Sent to the site's owner when a backup failed for good (after its last attempt)",
  variables: Type.Object({
    site: Type.String({ maxLength: 253 }),
    trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
    error: Type.String({ maxLength: 500 }),
  }),
  sample: { site: 'example.com', trigger: 'schedule', error: 'the website example.com has no files on the server' },
  render: ({ site, trigger, error }) => ({
    subject: `The backup of ${site} failed`,
    blocks: [
      'Hello,',
      `the ${trigger === 'schedule' ? 'scheduled' : 'requested'} backup of ${site} failed and will not be tried again.`,
      { facts: [['Reason', error]] },
      'Earlier backups are kept. Start a new backup from the website’s backups page once the reason is gone.',
    ],
  }),
});

export const backupsMails = [backupFailedMail];
