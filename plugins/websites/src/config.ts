/** Config of the websites plugin (validated on enable and on change). */
import { Secret, Type, type Static } from '@hostplane/sdk';

export const WebsitesConfig = Type.Object(
  {
    reservedDomains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      title: 'Reserved domains',
      default: [],
      description: 'Domains (with their subdomains) no customer may host, e.g. the panel host name',
    }),
    resources: Type.Object(
      {
        phpMemoryMb: Type.Integer({
          title: 'PHP memory (MB)',
          minimum: 16,
          maximum: 8192,
          default: 256,
          description: 'memory_limit of each site',
        }),
        phpMaxChildren: Type.Integer({
          title: 'PHP processes',
          minimum: 1,
          maximum: 200,
          default: 5,
          description: 'PHP-FPM pm.max_children of each site',
        }),
        uploadMaxMb: Type.Integer({
          title: 'Largest upload (MB)',
          minimum: 1,
          maximum: 4096,
          default: 64,
          description: 'Per request',
        }),
        phpMaxExecutionSeconds: Type.Integer({
          title: 'Longest PHP run a site may set (s)',
          minimum: 1,
          maximum: 86_400,
          default: 300,
          description: 'Upper bound of a site’s max_execution_time (packages set memory and uploads, not this)',
        }),
      },
      { title: 'PHP resources', default: {}, description: 'PHP resources of every site (until packages carry their own)' },
    ),
    wordpress: Type.Object(
      {
        archiveUrl: Type.String({
          title: 'WordPress archive',
          default: 'https://wordpress.org/latest.tar.gz',
          description: 'http(s) or file URL of the release to install',
        }),
        databaseHost: Type.String({
          title: 'Database server',
          default: '127.0.0.1:3306',
          description: 'host:port of MySQL / MariaDB',
        }),
        databaseUser: Type.String({
          title: 'Database user',
          default: 'wordpress',
          description: 'The account WordPress sites connect with',
        }),
        databasePassword: Secret(Type.String({ title: 'Database password', default: '' })),
        databasePrefix: Type.String({
          title: 'Database name prefix',
          default: 'wp_',
          pattern: '^[a-z][a-z0-9_]{0,15}$',
          description: 'Lower-case letters, digits and _; each site database is named <prefix><site>',
        }),
      },
      { title: 'WordPress', default: {}, description: 'Where one-click WordPress sites get their files and database' },
    ),
    nodejsPorts: Type.Object(
      {
        from: Type.Integer({ title: 'First port', minimum: 1024, maximum: 65535, default: 20000 }),
        to: Type.Integer({ title: 'Last port', minimum: 1024, maximum: 65535, default: 29999 }),
      },
      { title: 'Node.js ports', default: {}, description: 'Ports handed to Node.js sites' },
    ),
    sweepCron: Type.String({
      title: 'Retry schedule',
      default: '*/1 * * * *',
      description: 'Cron expression: how often sites that have not converged are retried',
    }),
  },
  { additionalProperties: false },
);

export type WebsitesConfig = Static<typeof WebsitesConfig>;
