import { Secret, Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set databases-mariadb key=value`. */
export const MariaDbConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal('managed'), Type.Literal('external')], {
      title: 'Mode',
      default: 'managed',
      description:
        "'managed': the plugin runs its own mariadbd under its root; 'external': an existing server reached with admin credentials",
    }),
    root: Type.String({
      title: 'Data directory',
      default: '',
      maxLength: 80,
      description:
        'Managed mode: directory the plugin owns (datadir, socket, logs). Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/mariadb',
    }),
    port: Type.Integer({
      title: 'Port',
      default: 3307,
      minimum: 1,
      maximum: 65_535,
      description:
        'Managed mode: TCP port of the plugin’s own server (3306 is left to a system MariaDB). External mode: the server’s port',
    }),
    host: Type.String({
      title: 'Address',
      default: '127.0.0.1',
      maxLength: 255,
      pattern: '^[A-Za-z0-9.:\\-\\[\\]]+$',
      description: 'Managed mode: the address mariadbd binds. External mode: the server’s host name or address',
    }),
    adminUser: Type.String({
      title: 'Admin user',
      default: 'root',
      maxLength: 80,
      pattern: '^[^\\u0000\\s]+$',
      description: 'External mode: an account with CREATE USER and GRANT OPTION on every database',
    }),
    adminPassword: Secret(Type.String({ title: 'Admin password', default: '', maxLength: 200, description: 'External mode' })),
    mariadbd: Type.String({ title: 'mariadbd binary', default: '/usr/sbin/mariadbd', pattern: '^/[^\\s]*$' }),
    installDb: Type.String({ title: 'mariadb-install-db binary', default: '/usr/bin/mariadb-install-db', pattern: '^/[^\\s]*$' }),
    dumpBinary: Type.String({
      title: 'mariadb-dump binary',
      default: '/usr/bin/mariadb-dump',
      pattern: '^/[^\\s]*$',
      description: 'Writes the dumps backups keep (Debian: mariadb-client)',
    }),
    clientBinary: Type.String({
      title: 'mariadb client binary',
      default: '/usr/bin/mariadb',
      pattern: '^/[^\\s]*$',
      description: 'Loads a dump when a backup of a database is restored',
    }),
    bufferPoolMb: Type.Integer({
      title: 'InnoDB buffer pool (MB)',
      default: 128,
      minimum: 8,
      maximum: 1_048_576,
      description: 'Managed mode: innodb_buffer_pool_size',
    }),
  },
  { additionalProperties: false },
);

export type MariaDbConfig = Static<typeof MariaDbConfig>;
