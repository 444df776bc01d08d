/** Config of the websites plugin (validated on enable and on change). */
import { Secret, Type, type Static } from '@hostplane/sdk';

export const WebsitesConfig = Type.Object(
  {
    reservedDomains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      default: [],
      description: 'Domains (with their subdomains) no customer may host, e.g. the panel host name',
    }),
    resources: Type.Object(
      {
        phpMemoryMb: Type.Integer({ minimum: 16, maximum: 8192, default: 256 }),
        phpMaxChildren: Type.Integer({ minimum: 1, maximum: 200, default: 5 }),
        uploadMaxMb: Type.Integer({ minimum: 1, maximum: 4096, default: 64 }),
      },
      { default: {}, description: 'PHP resources of every site (until packages carry their own)' },
    ),
    wordpress: Type.Object(
      {
        archiveUrl: Type.String({ default: 'https://wordpress.org/latest.tar.gz', description: 'http(s) or file URL' }),
        databaseHost: Type.String({ default: '127.0.0.1:3306' }),
        databaseUser: Type.String({ default: 'wordpress' }),
        databasePassword: Secret(Type.String({ default: '' })),
        databasePrefix: Type.String({ default: 'wp_', pattern: '^[a-z][a-z0-9_]{0,15}$', description: 'Database name prefix' }),
      },
      { default: {} },
    ),
    nodejsPorts: Type.Object(
      {
        from: Type.Integer({ minimum: 1024, maximum: 65535, default: 20000 }),
        to: Type.Integer({ minimum: 1024, maximum: 65535, default: 29999 }),
      },
      { default: {}, description: 'Ports handed to Node.js sites' },
    ),
    sweepCron: Type.String({ default: '*/1 * * * *', description: 'How often sites that have not converged are retried' }),
  },
  { additionalProperties: false },
);

export type WebsitesConfig = Static<typeof WebsitesConfig>;
