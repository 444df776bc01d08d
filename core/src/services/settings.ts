/** Key/value settings in `hostplane.settings`, one scope per owner (`coreServices.settings`). */
import type { SettingsService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { isPgError, PgCodes } from '../db/pg-errors.js';
import { SettingsErrors } from './errors.js';
import { toJsonText } from './validation.js';

const TABLE = 'hostplane.settings';
const MAX_KEY = 200;

/**
 * Settings private to `scope` (e.g. `plugin:<id>` or `core`). Values are any JSON value;
 * `get` of a missing key gives undefined, while a stored `null` reads back as null.
 */
export function createSettingsService(knex: Knex, scope: string): SettingsService {
  if (typeof scope !== 'string' || scope === '') throw new TypeError('settings scope must be a non-empty string');
  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const row = await knex(TABLE)
        .where({ scope, key: checkKey(key) })
        .first('value');
      return row ? (row.value as T) : undefined;
    },

    async set<T = unknown>(key: string, value: T): Promise<void> {
      checkKey(key);
      // undefined has no JSON form; removing a setting is delete(), said out loud.
      const json = value === undefined ? undefined : toJsonText(value);
      if (json === undefined) throw SettingsErrors.valueInvalid('it has no JSON form (use delete() to remove a setting)');
      try {
        await knex.raw(
          `insert into hostplane.settings (scope, key, value) values (?, ?, ?::jsonb)
           on conflict (scope, key) do update set value = excluded.value`,
          [scope, key, json],
        );
      } catch (err) {
        if (isPgError(err, PgCodes.untranslatableCharacter) || isPgError(err, PgCodes.invalidTextRepresentation)) {
          throw SettingsErrors.valueInvalid((err as Error).message);
        }
        throw err;
      }
    },

    async delete(key: string): Promise<void> {
      await knex(TABLE)
        .where({ scope, key: checkKey(key) })
        .delete();
    },
  };
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY) throw SettingsErrors.keyInvalid();
  return key;
}
