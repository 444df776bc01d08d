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
    target: Type.Union([Type.Literal('local'), Type.Literal('s3'), Type.Literal('sftp')], {
      title: 'Where backups go',
      default: 'local',
      description: "'local': the repository folder; 's3': the S3-compatible storage below; 'sftp': the SFTP server below",
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
    sftp: Type.Object(
      {
        host: Type.String({
          title: 'Host',
          default: '',
          maxLength: 253,
          pattern: '^(|[A-Za-z0-9][A-Za-z0-9.-]*|[0-9A-Fa-f:]+)$',
          description: 'Name or address of the SFTP server',
        }),
        port: Type.Integer({ title: 'Port', default: 22, minimum: 1, maximum: 65535 }),
        user: Type.String({ title: 'User', default: '', maxLength: 64, pattern: '^(|[A-Za-z0-9._][A-Za-z0-9._-]*)$' }),
        path: Type.String({
          title: 'Folder',
          default: 'hostplane',
          maxLength: 1024,
          pattern: '^[^\\u0000\\n\\s]+$',
          description: 'Folder of the repository on the server (absolute, or relative to the user’s home)',
        }),
        hostKey: Type.String({
          title: 'Host key',
          default: '',
          maxLength: 16_384,
          pattern: '^[^\\u0000\\n]*$',
          description:
            'The server’s public host key (`ssh-ed25519 AAAA…`, or a line of `ssh-keyscan -p PORT HOST`): the only key accepted; an unknown host is never trusted',
        }),
        privateKey: Secret(
          Type.String({
            title: 'Private key',
            default: '',
            maxLength: 16_384,
            description:
              'OpenSSH private key (unencrypted) of the user; empty: the plugin makes one (its public key is shown with the targets)',
          }),
        ),
      },
      { title: 'SFTP storage', default: {}, description: 'Used when the target is sftp (restic’s sftp back end over ssh)' },
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
    // The nightly cron of earlier versions: a config saved with it must still load (decision 0059).
    schedule: Type.Optional(
      Type.String({
        title: 'Backup schedule (no longer used)',
        maxLength: 100,
        description: 'Ignored: frequency, window and the packages’ own settings decide when sites are backed up',
      }),
    ),
    frequency: Type.Union([Type.Literal('daily'), Type.Literal('weekly')], {
      title: 'How often',
      default: 'daily',
      description: 'How often each site is backed up, unless its package says otherwise',
    }),
    weekday: Type.Integer({
      title: 'Weekly on',
      default: 0,
      minimum: 0,
      maximum: 6,
      description: 'Weekly backups: the day their window opens (0 = Sunday), unless the package says otherwise',
    }),
    window: Type.Object(
      {
        fromHour: Type.Integer({ title: 'From', default: 1, minimum: 0, maximum: 23, description: 'Hour, server time' }),
        toHour: Type.Integer({
          title: 'To',
          default: 5,
          minimum: 0,
          maximum: 23,
          description: 'Hour, server time; before From: the window spans midnight; equal: all day',
        }),
      },
      {
        title: 'Time window',
        default: {},
        description: 'Scheduled backups start inside it, each site at its own minute, unless the package says otherwise',
      },
    ),
    tickMinutes: Type.Union(
      [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60].map((n) => Type.Literal(n)),
      {
        title: 'Scheduler step (minutes)',
        default: 5,
        description: 'How often the scheduler starts the sites that are due; their start minutes fall on these steps',
      },
    ),
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
    platform: Type.Object(
      {
        schedule: Type.String({
          title: 'Platform backup schedule',
          default: '17 3 * * *',
          maxLength: 100,
          description:
            'Cron expression: when the platform itself (its database and secret key) is backed up; empty: only on demand',
        }),
        keep: Type.Integer({
          title: 'Platform backups kept',
          default: 14,
          minimum: 1,
          maximum: 1000,
          description: 'The newest N platform backups are kept; older ones are forgotten by the retention run, which prunes',
        }),
      },
      {
        title: 'Platform backups',
        default: {},
        description: 'Backups of the control plane, so a lost server can be rebuilt (administrators)',
      },
    ),
    checkSchedule: Type.String({
      title: 'Check schedule',
      default: '41 4 * * 0',
      maxLength: 100,
      description: 'Cron expression: when `restic check` verifies the repository (weekly by default)',
    }),
    resellerTargetHosts: Type.Array(
      Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9.:-]*$', description: 'A host name or IP address' }),
      {
        title: 'Private hosts resellers may use',
        default: [],
        maxItems: 100,
        description:
          'Resellers’ own targets may not point at this server or a private network (loopback, private, link-local ' +
          'addresses, or names resolving to them), which this server would otherwise contact for them; ' +
          'list here the names or addresses that may, such as a backup server on your LAN offered to resellers',
      },
    ),
  },
  { additionalProperties: false },
);

export type BackupsConfig = Static<typeof BackupsConfig>;
