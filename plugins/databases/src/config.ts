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
  },
  { additionalProperties: false },
);

export type DatabasesConfig = Static<typeof DatabasesConfig>;
