/** Config of the backups plugin (validated on enable and on change). */
import { Secret, Type, type Static } from '@hostplane/sdk';

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
    target: Type.Union([Type.Literal('local'), Type.Literal('s3')], {
      title: 'Where backups go',
      default: 'local',
      description: "'local': the repository folder; 's3': the S3-compatible storage below",
    }),
    s3: Type.Object(
      {
        endpoint: Type.String({
          title: 'Endpoint',
          default: '',
          maxLength: 300,
          pattern: '^(|https?://[^\\s/]+)$',
          description: 'https://host[:port] of the S3-compatible service',
        }),
        bucket: Type.String({ title: 'Bucket', default: '', maxLength: 63, pattern: '^(|[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$' }),
        prefix: Type.String({
          title: 'Folder',
          default: 'hostplane',
          maxLength: 200,
          pattern: '^[A-Za-z0-9._/-]*$',
          description: 'Path of the repository inside the bucket',
        }),
        accessKeyId: Type.String({ title: 'Access key id', default: '', maxLength: 200 }),
        secretAccessKey: Secret(Type.String({ title: 'Secret access key', default: '', maxLength: 200 })),
        caCertFile: Type.String({
          title: 'CA certificate file',
          default: '',
          maxLength: 4096,
          pattern: '^(|/[^\\u0000\\n]*)$',
          description: 'PEM file of the CA that signed the endpoint’s certificate, when it is not a public one',
        }),
      },
      { title: 'S3 storage', default: {}, description: 'Used when the target is s3' },
    ),
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
