/** Config of the deployments plugin (validated on enable and on change). */
import { Type, type Static } from '@hostplane/sdk';

export const DeploymentsConfig = Type.Object(
  {
    cloneTimeoutSeconds: Type.Integer({
      title: 'Time limit of a clone (seconds)',
      default: 300,
      minimum: 5,
      maximum: 3600,
      description: 'A `git clone` still going after this is killed and the deployment fails',
    }),
    buildTimeoutSeconds: Type.Integer({
      title: 'Time limit of a build (seconds)',
      default: 900,
      minimum: 1,
      maximum: 7200,
      description: 'A build command still going after this is killed (with everything it started)',
    }),
    defaultKeepReleases: Type.Integer({ title: 'Releases kept by default', default: 5, minimum: 1, maximum: 100 }),
    maxKeepReleases: Type.Integer({
      title: 'Most releases a customer may keep',
      default: 10,
      minimum: 1,
      maximum: 100,
      description: 'Each release is a full copy of the site: this bounds the disk a site’s history takes',
    }),
    logLimitBytes: Type.Integer({
      title: 'Build log kept per deployment (bytes)',
      default: 262_144,
      minimum: 4096,
      maximum: 4_194_304,
      description: 'The last this many bytes of the clone and build output are kept',
    }),
    allowLocalRepositories: Type.Boolean({
      default: false,
      description:
        'Also accept `file://` URLs and absolute paths (clones still run as the site user). For tests and single-tenant servers only',
    }),
    shell: Type.String({ default: '/bin/sh', pattern: '^/[^\\s]*$', description: 'Runs the build as `<shell> -c <command>`' }),
  },
  { additionalProperties: false },
);

export type DeploymentsConfig = Static<typeof DeploymentsConfig>;
