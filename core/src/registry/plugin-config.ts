/** Plugin config: validated against the plugin's TypeBox schema, secrets masked when shown. */
import { Value } from '@sinclair/typebox/value';
import { isSecretSchema, type TObject, type TSchema } from '@hostplane/sdk';
import { KernelErrors } from '../errors.js';
import type { AnyPlugin } from './load-definition.js';

/** What a masked secret looks like in listings; sending it back keeps the stored value. */
export const SECRET_MASK = '********';

/**
 * Apply defaults and validate. Returns the config the plugin will see.
 * Throws KERNEL_ERR_CONFIG_INVALID with one entry per bad field.
 */
export function validateConfig(pluginId: string, schema: TObject | undefined, input: unknown): Record<string, unknown> {
  if (!schema) return {};
  const value = Value.Default(schema, Value.Clone(input ?? {})) as Record<string, unknown>;
  const problems = [...Value.Errors(schema, value)].slice(0, 20).map((e) => ({ field: e.path, message: e.message }));
  if (problems.length > 0) throw KernelErrors.configInvalid(pluginId, problems);
  return value;
}

function secretKeys(schema: TObject | undefined): string[] {
  if (!schema) return [];
  return Object.entries(schema.properties as Record<string, TSchema>)
    .filter(([, s]) => isSecretSchema(s))
    .map(([k]) => k);
}

/** Replace every secret field that has a value with {@link SECRET_MASK}. */
export function maskSecrets(schema: TObject | undefined, config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const key of secretKeys(schema)) {
    if (out[key] !== undefined && out[key] !== '') out[key] = SECRET_MASK;
  }
  return out;
}

/** Keep stored secrets where the caller sent the mask back unchanged. */
export function mergeMaskedSecrets(
  schema: TObject | undefined,
  incoming: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...incoming };
  for (const key of secretKeys(schema)) {
    if (out[key] === SECRET_MASK) out[key] = stored[key];
  }
  return out;
}

/** Config with defaults, tolerating a stored config that no longer validates (shown as is). */
export function validateConfigLenient(definition: AnyPlugin, stored: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateConfig(definition.id, definition.config, stored);
  } catch {
    return { ...stored };
  }
}
