/**
 * A form generated from a JSON Schema (TypeBox schemas are JSON Schema): one input per property
 * of an object — text, number, checkbox, select for enums and literal unions, password for
 * secrets (left empty = keep the stored value). Values come back through {@link readSchemaForm}.
 */
import type { JsonSchema } from '../lib/types';
import { Field } from './ui';

/** The choices of an enum or a union of literals, or null. */
function choicesOf(schema: JsonSchema): unknown[] | null {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s) => 'const' in s)) return schema.anyOf.map((s) => s.const);
  return null;
}

function kindOf(schema: JsonSchema): 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'other' {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'boolean' || type === 'integer' || type === 'number' || type === 'string' || type === 'array') return type;
  if (Array.isArray(schema.anyOf)) {
    const inner = schema.anyOf.find((s) => s.type !== 'null');
    if (inner) return kindOf(inner);
  }
  return 'other';
}

function isSecret(schema: JsonSchema): boolean {
  return schema.secret === true || schema.writeOnly === true;
}

function labelOf(name: string, schema: JsonSchema): string {
  if (typeof schema.title === 'string') return schema.title;
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function SchemaFields({
  schema,
  values = {},
  errors = {},
  idPrefix = 'sf',
}: {
  schema: JsonSchema;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  idPrefix?: string;
}) {
  const required = new Set(schema.required ?? []);
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {Object.entries(schema.properties ?? {}).map(([name, prop]) => {
        const id = `${idPrefix}-${name}`;
        const value = values[name] ?? prop.default;
        const hint = typeof prop.description === 'string' ? prop.description : undefined;
        const common = {
          id,
          name,
          label: labelOf(name, prop),
          error: errors[name],
          hint,
          required: required.has(name) && !isSecret(prop),
        };
        const choices = choicesOf(prop);
        const kind = kindOf(prop);
        if (choices) {
          return (
            <Field key={name} {...common}>
              <select
                id={id}
                name={name}
                className="input"
                defaultValue={value === undefined ? '' : String(value)}
                aria-invalid={errors[name] ? true : undefined}
              >
                {required.has(name) ? null : <option value="">—</option>}
                {choices.map((c) => (
                  <option key={String(c)} value={String(c)}>
                    {String(c)}
                  </option>
                ))}
              </select>
            </Field>
          );
        }
        if (kind === 'boolean') {
          return (
            <div key={name} className="flex items-start gap-2 pt-6">
              <input type="hidden" name={name} value="false" />
              <input
                id={id}
                type="checkbox"
                name={name}
                value="true"
                defaultChecked={value === true}
                className="mt-0.5 size-4 accent-indigo-600"
              />
              <label htmlFor={id} className="text-sm">
                <span className="font-medium">{common.label}</span>
                {hint ? <span className="muted block text-xs">{hint}</span> : null}
                {errors[name] ? <span className="block text-red-700 dark:text-red-400">{errors[name]}</span> : null}
              </label>
            </div>
          );
        }
        if (isSecret(prop)) {
          return (
            <Field
              key={name}
              {...common}
              type="password"
              autoComplete="new-password"
              placeholder={value ? 'stored — leave empty to keep' : ''}
              hint={hint ?? 'Secret: never shown. Leave empty to keep the stored value.'}
            />
          );
        }
        if (kind === 'integer' || kind === 'number') {
          return (
            <Field
              key={name}
              {...common}
              type="number"
              defaultValue={typeof value === 'number' ? value : undefined}
              {...(typeof prop.minimum === 'number' ? { min: prop.minimum } : {})}
              {...(typeof prop.maximum === 'number' ? { max: prop.maximum } : {})}
            />
          );
        }
        if (kind === 'array') {
          return (
            <Field
              key={name}
              {...common}
              hint={hint ?? 'Comma-separated'}
              defaultValue={Array.isArray(value) ? value.join(', ') : ''}
            />
          );
        }
        return (
          <Field
            key={name}
            {...common}
            type={prop.format === 'email' ? 'email' : prop.format === 'uri' ? 'url' : 'text'}
            defaultValue={typeof value === 'string' ? value : undefined}
            {...(typeof prop.maxLength === 'number' ? { maxLength: prop.maxLength } : {})}
          />
        );
      })}
    </div>
  );
}

/**
 * The body a schema form posts: values converted to the property types; empty optional inputs
 * left out; empty secrets sent as `mask` (the API keeps the stored secret) when given.
 */
export function readSchemaForm(
  schema: JsonSchema,
  form: FormData,
  options: { secretMask?: string } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const all = form.getAll(name).map(String);
    const raw = all[all.length - 1];
    const kind = kindOf(prop);
    if (kind === 'boolean') {
      out[name] = all.includes('true');
      continue;
    }
    if (raw === undefined || raw === '') {
      if (isSecret(prop) && options.secretMask !== undefined) out[name] = options.secretMask;
      else if (required.has(name) && kind === 'string') out[name] = '';
      continue;
    }
    if (kind === 'integer' || kind === 'number') {
      const n = Number(raw);
      out[name] = Number.isFinite(n) ? n : raw;
    } else if (kind === 'array') {
      out[name] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else {
      out[name] = raw;
    }
  }
  return out;
}
