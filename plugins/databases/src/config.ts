/** Config of the databases plugin (validated on enable and on change). */
import { Type, type Static } from '@hostplane/sdk';

export const DatabasesConfig = Type.Object(
  {
    defaultServer: Type.String({
      title: 'Default server',
      default: '',
      maxLength: 60,
      description: 'Driver id (e.g. mariadb) used when a create names none; empty: the first enabled driver',
    }),
    usersPerDatabase: Type.Integer({
      title: 'Users per database',
      default: 10,
      minimum: 1,
      maximum: 100,
      description: 'How many users one database may have',
    }),
    passwordLength: Type.Integer({
      title: 'Password length',
      default: 24,
      minimum: 16,
      maximum: 64,
      description: 'Length of generated passwords (letters and digits)',
    }),
    measureCron: Type.String({
      title: 'Measure sizes',
      default: '*/15 * * * *',
      maxLength: 100,
      description: 'Cron schedule of the job that measures every database’s size',
    }),
    adminerUrl: Type.String({
      title: 'Adminer address',
      default: '',
      maxLength: 300,
      pattern: '^(https?://[^\\s?#]+)?$',
      description:
        'Where browsers reach the Adminer launcher webserver-nginx serves on its adminerPort, e.g. https://db.example.com:8081/; empty: no Adminer',
    }),
    adminerTokenDir: Type.String({
      title: 'Adminer token folder',
      default: '',
      maxLength: 300,
      pattern: '^(/[^\\s]*)?$',
      description:
        'The launcher’s token folder, <webserver-nginx root>/adminer/tokens; empty: the one under webserver-nginx’s default root',
    }),
    adminerTokenSeconds: Type.Integer({
      title: 'Adminer link lifetime',
      default: 60,
      minimum: 10,
      maximum: 600,
      description: 'Seconds a one-time Adminer link stays valid',
    }),
    adminerSessionMinutes: Type.Integer({
      title: 'Adminer session length',
      default: 60,
      minimum: 5,
      maximum: 1440,
      description: 'Minutes after which the temporary database user of an Adminer login is dropped',
    }),
  },
  { additionalProperties: false },
);

export type DatabasesConfig = Static<typeof DatabasesConfig>;
