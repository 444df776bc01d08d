/** Config of the cron-jobs plugin (validated on enable and on change). */
import { Type, type Static } from '@hostplane/sdk';

export const CronJobsConfig = Type.Object(
  {
    defaultTimeoutSeconds: Type.Integer({
      title: 'Default time limit (seconds)',
      default: 300,
      minimum: 1,
      maximum: 86_400,
      description: 'A run still going after this is killed (with everything it started)',
    }),
    maxTimeoutSeconds: Type.Integer({
      title: 'Longest time limit a customer may set (seconds)',
      default: 3600,
      minimum: 1,
      maximum: 86_400,
    }),
    outputLimitBytes: Type.Integer({
      title: 'Output kept per run (bytes)',
      default: 65_536,
      minimum: 1024,
      maximum: 1_048_576,
      description: 'The last this many bytes of standard output and error together are kept',
    }),
    shell: Type.String({ default: '/bin/sh', pattern: '^/[^\\s]*$', description: 'Runs each command as `<shell> -c <command>`' }),
  },
  { additionalProperties: false },
);

export type CronJobsConfig = Static<typeof CronJobsConfig>;
