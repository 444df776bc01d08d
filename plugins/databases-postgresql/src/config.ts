import { Secret, Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set databases-postgresql key=value`. */
export const PostgresConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal('managed'), Type.Literal('external')], {
      title: 'Mode',
      default: 'managed',
      description:
        "'managed': the plugin runs its own cluster under its root; 'external': an existing server reached with admin credentials",
    }),
    root: Type.String({
      title: 'Data directory',
      default: '',
      maxLength: 80,
      description:
        'Managed mode: directory the plugin owns (cluster, socket, log). Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/postgresql',
    }),
    port: Type.Integer({
      title: 'Port',
      default: 5433,
      minimum: 1,
      maximum: 65_535,
      description:
        'Managed mode: TCP port of the plugin’s own cluster (5432 is left to the platform’s). External mode: the server’s port',
    }),
    host: Type.String({
      title: 'Address',
      default: '127.0.0.1',
      maxLength: 255,
      pattern: '^[A-Za-z0-9.:\\-\\[\\]]+$',
      description: 'Managed mode: the address postgres listens on. External mode: the server’s host name or address',
    }),
    adminUser: Type.String({
      title: 'Admin user',
      default: 'postgres',
      maxLength: 63,
      pattern: '^[^\\u0000\\s]+$',
      description: 'External mode: a role with CREATEDB and CREATEROLE (a superuser measures and reassigns best)',
    }),
    adminPassword: Secret(Type.String({ title: 'Admin password', default: '', maxLength: 200, description: 'External mode' })),
    adminDatabase: Type.String({
      title: 'Admin database',
      default: 'postgres',
      maxLength: 63,
      pattern: '^[^\\u0000\\s]+$',
      description: 'External mode: the database the admin connection opens',
    }),
    binDir: Type.String({
      title: 'PostgreSQL binaries',
      default: '/usr/lib/postgresql/15/bin',
      pattern: '^/[^\\s]*$',
      description: 'The folder holding initdb and postgres (managed mode) and pg_dump and psql (backups of databases)',
    }),
  },
  { additionalProperties: false },
);

export type PostgresConfig = Static<typeof PostgresConfig>;
