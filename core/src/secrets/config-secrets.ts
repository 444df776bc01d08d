/**
 * Secret fields of a plugin's config at rest: each value is replaced by `{ "$hostplaneSecret":
 * <envelope> }`, bound to the plugin id and the field's JSON pointer. Sealing needs the config
 * schema (it says which fields are secret); revealing and re-wrapping do not (they look for
 * sealed values), so a rotation never has to load plugin code.
 */
import { isSecretSchema, type TObject, type TSchema } from '@hostplane/sdk';
import { isEnvelope } from './envelope.js';
import type { Keyring } from './keyring.js';

/** The purpose plugin config secrets are encrypted for. */
export const PLUGIN_CONFIG_PURPOSE = 'plugin-config';
/** The key of the object that stands for a sealed value. */
export const SEALED_MARK = '$hostplaneSecret';

/** A sealed value as stored. */
export interface SealedValue {
  [SEALED_MARK]: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for `{ "$hostplaneSecret": "hpsec:1:…" }` and nothing else. */
export function isSealedValue(value: unknown): value is SealedValue {
  return isObject(value) && Object.keys(value).length === 1 && isEnvelope(value[SEALED_MARK]);
}

/** The context a config secret is bound to: plugin id and JSON pointer of the field. */
export function configContext(pluginId: string, pointer: string): string {
  return `${pluginId}\0${pointer}`;
}

function pointerOf(parent: string, key: string): string {
  return `${parent}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function propertiesOf(schema: TSchema | undefined): Array<[string, TSchema]> {
  const properties = (schema as { properties?: Record<string, TSchema> } | undefined)?.properties;
  return properties ? Object.entries(properties) : [];
}

/**
 * Encrypt every secret field (per `schema`, at any depth) that holds a value in the clear. Empty
 * strings stay as they are (no secret set); values already sealed are kept byte for byte.
 */
export function sealConfig(keyring: Keyring, pluginId: string, schema: TObject | undefined, config: Json, at = ''): Json {
  const out = { ...config };
  for (const [key, prop] of propertiesOf(schema)) {
    const value = out[key];
    const pointer = pointerOf(at, key);
    if (isSecretSchema(prop)) {
      if (value === undefined || value === '' || isSealedValue(value)) continue;
      const envelope = keyring.encryptSecret(PLUGIN_CONFIG_PURPOSE, configContext(pluginId, pointer), JSON.stringify(value));
      out[key] = { [SEALED_MARK]: envelope } satisfies SealedValue;
    } else if (isObject(value) && propertiesOf(prop).length > 0) {
      out[key] = sealConfig(keyring, pluginId, prop as TObject, value, pointer);
    }
  }
  return out;
}

/** Replace every sealed value by what `fn` makes of its envelope (decrypt, re-encrypt). */
export function mapSealed(config: Json, fn: (envelope: string, pointer: string) => unknown, at = ''): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const pointer = pointerOf(at, key);
    if (isSealedValue(value)) out[key] = fn(value[SEALED_MARK], pointer);
    else if (isObject(value)) out[key] = mapSealed(value, fn, pointer);
    else out[key] = value;
  }
  return out;
}

/** The config as the plugin `pluginId` sees it: sealed values decrypted (only its own decrypt). */
export function revealConfig(keyring: Keyring, pluginId: string, config: Json): Json {
  return mapSealed(config, (envelope, pointer) =>
    JSON.parse(keyring.decryptSecret(PLUGIN_CONFIG_PURPOSE, configContext(pluginId, pointer), envelope)),
  );
}

/** How many sealed values a config holds. */
export function countSealed(config: Json): number {
  let count = 0;
  mapSealed(config, () => {
    count += 1;
  });
  return count;
}
