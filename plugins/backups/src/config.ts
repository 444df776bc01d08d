/** Config of the backups plugin (validated on enable and on change). */
import { Type, type Static } from '@hostplane/sdk';

export const BackupsConfig = Type.Object(
  {
    repository: Type.String({
      title: 'Repository folder',
      default: '',
      maxLength: 4096,
      pattern: '^(|/[^\\u0000\\n]*)$',
      description:
        'Absolute folder of the local restic repository. Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/backups/repository',
    }),
    resticBinary: Type.String({
      title: 'restic binary',
      default: '/usr/bin/restic',
      pattern: '^/[^\\s]*$',
      description: 'Path of the restic binary (Debian: apt-get install restic)',
    }),
    concurrency: Type.Integer({
      title: 'Backups at a time',
      default: 2,
      minimum: 1,
      maximum: 32,
      description: 'How many backups and restores of this server run at once; more wait their turn',
    }),
    limitUploadKiB: Type.Integer({
      title: 'Upload limit (KiB/s)',
      default: 0,
      minimum: 0,
      maximum: 10_000_000,
      description: 'Bandwidth each backup may use towards the repository; 0 = unlimited',
    }),
    limitDownloadKiB: Type.Integer({
      title: 'Download limit (KiB/s)',
      default: 0,
      minimum: 0,
      maximum: 10_000_000,
      description: 'Bandwidth each restore may use from the repository; 0 = unlimited',
    }),
    schedule: Type.String({
      title: 'Backup schedule',
      default: '17 3 * * *',
      maxLength: 100,
      description: 'Cron expression: when every site whose package includes backups is backed up',
    }),
    retention: Type.Object(
      {
        keepDaily: Type.Integer({
          title: 'Daily',
          default: 7,
          minimum: 0,
          maximum: 3650,
          description: 'Newest backup of each of the last N days',
        }),
        keepWeekly: Type.Integer({
          title: 'Weekly',
          default: 4,
          minimum: 0,
          maximum: 520,
          description: 'Newest backup of each of the last N weeks',
        }),
        keepMonthly: Type.Integer({
          title: 'Monthly',
          default: 6,
          minimum: 0,
          maximum: 240,
          description: 'Newest backup of each of the last N months',
        }),
      },
      {
        title: 'Retention',
        default: {},
        description:
          'What each site keeps (restic forget --keep-daily/weekly/monthly, then prune); all 0 keeps everything. The package’s backups count caps it further.',
      },
    ),
    retentionSchedule: Type.String({
      title: 'Retention schedule',
      default: '47 5 * * *',
      maxLength: 100,
      description: 'Cron expression: when the retention policy forgets and prunes',
    }),
    checkSchedule: Type.String({
      title: 'Check schedule',
      default: '41 4 * * 0',
      maxLength: 100,
      description: 'Cron expression: when `restic check` verifies the repository (weekly by default)',
    }),
  },
  { additionalProperties: false },
);

export type BackupsConfig = Static<typeof BackupsConfig>;
