/**
 * A form generated from a JSON Schema (TypeBox schemas are JSON Schema): one input per property
 * of an object — text, number, checkbox, select for enums and literal unions, password for
 * secrets (left empty = keep the stored value), a fieldset for a nested object (inputs named
 * `parent.child`), nothing for a property with one allowed value (it is sent as that value).
 * Labels and hints are the schema's `title` and `description`. A property with a `default` may
 * be left empty: it is then left out and the default applies. A string with
 * `contentEncoding: 'base64'` is a file input (its `contentMediaType` is what the picker offers):
 * the form posts multipart ({@link hasFileField}) and {@link inlineFiles} turns the file into
 * the base64 text the API takes, so an upload works without JavaScript. Values come back
 * through {@link readSchemaForm}.
 */
import { labelOf as wordsOf } from '../lib/errors';
import type { JsonSchema } from '../lib/types';
import { Field } from './ui';

/** The choices of an enum or a union of literals (a literal's `title` is what is shown), or null. */
function choicesOf(schema: JsonSchema): Array<{ value: unknown; label: string }> | null {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => ({ value, label: String(value) }));
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s) => 'const' in s)) {
    return schema.anyOf.map((s) => ({ value: s.const, label: typeof s.title === 'string' ? s.title : String(s.const) }));
  }
  return null;
}

type Kind = 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' | 'other';

function kindOf(schema: JsonSchema): Kind {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object') return schema.properties ? 'object' : 'other';
  if (type === 'boolean' || type === 'integer' || type === 'number' || type === 'string' || type === 'array') return type;
  if (Array.isArray(schema.anyOf)) {
    const inner = schema.anyOf.find((s) => s.type !== 'null');
    if (inner) return kindOf(inner);
  }
  return 'other';
}

/** A file the API takes as base64 text (JSON Schema's `contentEncoding`). */
function isFile(schema: JsonSchema): boolean {
  return schema.contentEncoding === 'base64' && kindOf(schema) === 'string';
}

/** Whether a form of this schema has a file input (it must then post `multipart/form-data`). */
export function hasFileField(schema: JsonSchema): boolean {
  return Object.values(schema.properties ?? {}).some((prop) => isFile(prop) || (kindOf(prop) === 'object' && hasFileField(prop)));
}

/** The form with each file input's file replaced by its bytes in base64 (no file chosen: empty). */
export async function inlineFiles(schema: JsonSchema, form: FormData, prefix = ''): Promise<FormData> {
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const name = prefix + key;
    if (kindOf(prop) === 'object') await inlineFiles(prop, form, `${name}.`);
    if (!isFile(prop)) continue;
    const file = form.get(name);
    form.set(name, file instanceof Blob ? Buffer.from(await file.arrayBuffer()).toString('base64') : '');
  }
  return form;
}

/** Names of a schema's file inputs (`parent.child`), which are never echoed back into a page. */
export function fileFields(schema: JsonSchema, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, prop]) =>
    kindOf(prop) === 'object' ? fileFields(prop, `${prefix}${key}.`) : isFile(prop) ? [prefix + key] : [],
  );
}

/** A property with a single allowed value: sent as that value, never asked for. */
function isFixed(schema: JsonSchema): boolean {
  return typeof schema.const === 'string' || typeof schema.const === 'number' || typeof schema.const === 'boolean';
}

function isSecret(schema: JsonSchema): boolean {
  return schema.secret === true || schema.writeOnly === true;
}

function labelOf(name: string, schema: JsonSchema): string {
  return typeof schema.title === 'string' ? schema.title : wordsOf(name);
}

/** Whether the input must be filled in: required by the schema, and no default to fall back on. */
function mustFill(schema: JsonSchema, required: boolean): boolean {
  return required && schema.default === undefined && !isSecret(schema);
}

/** Every input's label by input name (`wordpress.databaseHost` → its title), for error messages. */
export function schemaLabels(schema: JsonSchema, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const path = prefix + name;
    out[path] = labelOf(name, prop);
    if (kindOf(prop) === 'object') Object.assign(out, schemaLabels(prop, `${path}.`));
  }
  return out;
}

function SchemaField({
  name,
  prop,
  value,
  required,
  errors,
  idPrefix,
}: {
  name: string;
  prop: JsonSchema;
  value: unknown;
  required: boolean;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  // One allowed value (`kind: 's3'` of a form for one member of a union): nothing to choose.
  if (isFixed(prop)) return <input type="hidden" name={name} value={String(prop.const)} />;
  const id = `${idPrefix}-${name.replace(/\./g, '-')}`;
  const hint = typeof prop.description === 'string' ? prop.description : undefined;
  const label = labelOf(name.split('.').pop() ?? name, prop);
  const error = errors[name];
  const common = { id, name, label, error, hint, required: mustFill(prop, required) };
  const choices = choicesOf(prop);
  const kind = kindOf(prop);
  if (kind === 'object') {
    const inner = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    return (
      <fieldset className="space-y-2 rounded-md border border-slate-200 p-4 sm:col-span-2 dark:border-slate-800">
        <legend className="px-1 text-sm font-semibold">{label}</legend>
        {hint ? <p className="muted text-xs">{hint}</p> : null}
        <SchemaFields schema={prop} values={inner} errors={errors} idPrefix={idPrefix} namePrefix={`${name}.`} />
      </fieldset>
    );
  }
  if (choices) {
    return (
      <Field {...common}>
        <select
          id={id}
          name={name}
          className="input"
          defaultValue={value === undefined ? '' : String(value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={[error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined}
        >
          {common.required ? null : (
            <option value="">{prop.default === undefined ? '—' : `Default (${String(prop.default)})`}</option>
          )}
          {choices.map((c) => (
            <option key={String(c.value)} value={String(c.value)}>
              {c.label}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  if (kind === 'boolean') {
    return (
      <div className="flex items-start gap-2 pt-6">
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
          <span className="font-medium">{label}</span>
          {hint ? <span className="muted block text-xs">{hint}</span> : null}
          {error ? <span className="block text-red-700 dark:text-red-400">{error}</span> : null}
        </label>
      </div>
    );
  }
  if (isFile(prop)) {
    const accept = typeof prop.contentMediaType === 'string' ? prop.contentMediaType : undefined;
    return (
      <Field {...common}>
        <input
          id={id}
          name={name}
          type="file"
          className="input"
          required={common.required}
          {...(accept ? { accept } : {})}
          aria-invalid={error ? true : undefined}
          aria-describedby={[error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined}
        />
      </Field>
    );
  }
  if (isSecret(prop)) {
    return (
      <Field
        {...common}
        type="password"
        autoComplete="new-password"
        placeholder={value ? 'stored — leave empty to keep' : ''}
        hint={
          hint
            ? `${hint} Never shown; leave empty to keep the stored value.`
            : 'Secret: never shown. Leave empty to keep the stored value.'
        }
      />
    );
  }
  // Empty means the default: say which, so leaving it empty is a choice, not a guess.
  const placeholder =
    prop.default !== undefined && prop.default !== '' && !Array.isArray(prop.default) ? String(prop.default) : undefined;
  if (kind === 'integer' || kind === 'number') {
    return (
      <Field
        {...common}
        type="number"
        defaultValue={typeof value === 'number' ? value : undefined}
        {...(placeholder ? { placeholder } : {})}
        {...(typeof prop.minimum === 'number' ? { min: prop.minimum } : {})}
        {...(typeof prop.maximum === 'number' ? { max: prop.maximum } : {})}
      />
    );
  }
  if (kind === 'array') {
    return (
      <Field
        {...common}
        hint={hint ? `${hint} (comma-separated)` : 'Comma-separated'}
        defaultValue={Array.isArray(value) ? value.join(', ') : ''}
      />
    );
  }
  return (
    <Field
      {...common}
      type={prop.format === 'email' ? 'email' : prop.format === 'uri' ? 'url' : 'text'}
      defaultValue={typeof value === 'string' ? value : undefined}
      {...(placeholder ? { placeholder } : {})}
      {...(typeof prop.maxLength === 'number' ? { maxLength: prop.maxLength } : {})}
    />
  );
}

export function SchemaFields({
  schema,
  values = {},
  errors = {},
  idPrefix = 'sf',
  namePrefix = '',
}: {
  schema: JsonSchema;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  idPrefix?: string;
  /** Inputs of a nested object are named `<parent>.<child>`. */
  namePrefix?: string;
}) {
  const required = new Set(schema.required ?? []);
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {Object.entries(schema.properties ?? {}).map(([name, prop]) => (
        <SchemaField
          key={name}
          name={namePrefix + name}
          prop={prop}
          value={values[name] ?? prop.default}
          required={required.has(name)}
          errors={errors}
          idPrefix={idPrefix}
        />
      ))}
    </div>
  );
}

/**
 * The body a schema form posts: values converted to the property types; empty inputs left out
 * (the default applies) unless the schema requires them and has no default; empty secrets sent
 * as `mask` (the API keeps the stored secret) when given; nested objects from `parent.child`.
 */
export function readSchemaForm(
  schema: JsonSchema,
  form: FormData,
  options: { secretMask?: string } = {},
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const name = prefix + key;
    const kind = kindOf(prop);
    if (kind === 'object') {
      out[key] = readSchemaForm(prop, form, options, `${name}.`);
      continue;
    }
    if (isFixed(prop)) {
      out[key] = prop.const;
      continue;
    }
    const all = form.getAll(name).map(String);
    const raw = all[all.length - 1];
    if (kind === 'boolean') {
      out[key] = all.includes('true');
      continue;
    }
    if (raw === undefined || raw.trim() === '') {
      if (isSecret(prop) && options.secretMask !== undefined) out[key] = options.secretMask;
      // Sent empty for the API to name the missing field; with a default, left out for it.
      else if (mustFill(prop, required.has(key)) && kind === 'string') out[key] = '';
      continue;
    }
    if (kind === 'integer' || kind === 'number') {
      const n = Number(raw);
      out[key] = Number.isFinite(n) ? n : raw;
    } else if (kind === 'array') {
      out[key] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else {
      out[key] = raw;
    }
  }
  return out;
}
