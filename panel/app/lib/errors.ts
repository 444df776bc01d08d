/**
 * The API's error shape, turned into what forms show: a sentence per field, beside its input,
 * and a message for the toast. Every form goes through `formErrors` (via `failed` in action.ts),
 * so the wording of schema errors (AJV's "must match a schema in anyOf", JSON pointers) is
 * translated here once.
 */
import { FEATURE_LABELS, LIMIT_LABELS } from './types';
import { BACKUP_LABELS } from './package-backups';

export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

/** What an action returns when the API refused: shown next to the fields and as a toast. */
export interface FormErrors {
  message: string;
  fields: Record<string, string>;
}

/** How a field is called when its form does not say (the last part of its name, in words). */
const LABELS: Record<string, string> = {
  ...LIMIT_LABELS,
  ...FEATURE_LABELS,
  ...BACKUP_LABELS,
  php_versions: 'PHP versions',
  php_memory_mb: 'PHP memory (MB)',
  php_max_children: 'PHP processes',
  upload_max_mb: 'Largest upload (MB)',
  phpVersion: 'PHP version',
  currentPassword: 'Current password',
  newPassword: 'New password',
  expiresAt: 'Expiry date',
};

/** What an empty input means where the API takes `null` (said in the message, so it is a choice). */
const EMPTY_MEANS: Array<[RegExp, string]> = [
  [/^limits\./, 'left empty for unlimited'],
  [/^prices\./, 'left empty when not offered'],
  [/^features\./, 'left empty for the default'],
];

/**
 * TypeBox's wording (plugin config is checked with TypeBox's `Value.Errors`, not AJV) in AJV's,
 * so one table below says both for people.
 */
const TYPEBOX: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^Expected required property$/, () => 'is required'],
  [/^Expected (integer|number|string|boolean|array|null)$/, (m) => `must be ${m[1]}`],
  [/^Expected (?:integer|number) to be greater or equal to (\S+)$/, (m) => `must be >= ${m[1]}`],
  [/^Expected (?:integer|number) to be less or equal to (\S+)$/, (m) => `must be <= ${m[1]}`],
  [/^Expected string length greater or equal to (\d+)$/, (m) => `must NOT have fewer than ${m[1]} characters`],
  [/^Expected string length less or equal to (\d+)$/, (m) => `must NOT have more than ${m[1]} characters`],
  [/^Expected string to match '.*' format$/, () => 'must match format'],
  [/^Expected string to match/, () => 'must match pattern'],
  [/^Expected union value$/, () => 'must be equal to one of the allowed values'],
  [/^Expected array elements to be unique$/, () => 'must NOT have duplicate items'],
  [/^Expected array length to be less or equal to (\d+)$/, (m) => `must NOT have more than ${m[1]} items`],
  [/^Unexpected property$/, () => 'is not allowed'],
];

/** AJV's (or TypeBox's) wording, for people: a predicate that follows the field's label. */
export function humanize(raw: string): string {
  let message = raw;
  for (const [re, to] of TYPEBOX) {
    const m = re.exec(raw);
    if (m) {
      message = to(m);
      break;
    }
  }
  const minLength = /^must NOT have fewer than (\d+) characters$/.exec(message);
  if (minLength) return minLength[1] === '1' ? 'is required' : `needs at least ${minLength[1]} characters`;
  const maxLength = /^must NOT have more than (\d+) characters$/.exec(message);
  if (maxLength) return `may have at most ${maxLength[1]} characters`;
  if (message.startsWith('must match pattern')) return 'is not in the expected format';
  if (message === 'must match format "email"') return 'must be an email address';
  if (message.startsWith('must match format')) return 'is not in the expected format';
  if (message === 'must be integer') return 'must be a whole number';
  if (message === 'must be number') return 'must be a number';
  if (message === 'must be string') return 'must be text';
  if (message === 'must be boolean') return 'must be yes or no';
  if (message === 'must be array') return 'must be a list';
  const minimum = /^must be >= (\S+)$/.exec(message);
  if (minimum) return `must be at least ${minimum[1]}`;
  const maximum = /^must be <= (\S+)$/.exec(message);
  if (maximum) return `must be at most ${maximum[1]}`;
  if (message === 'must be equal to one of the allowed values') return 'is not one of the choices';
  if (message === 'must NOT have duplicate items') return 'lists something twice';
  const maxItems = /^must NOT have more than (\d+) items$/.exec(message);
  if (maxItems) return `may list at most ${maxItems[1]}`;
  if (message === 'is not allowed') return 'is not expected here';
  return message;
}

/** `/body/limits/websites` → `limits.websites`; items of a list count as the list. */
export function fieldOfPointer(pointer: string): string {
  return pointer
    .replace(/^\/(body|query|params)\/?/, '')
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .filter((s, i) => i === 0 || !/^\d+$/.test(s))
    .join('.');
}

/** `limits.disk_mb` → "Disk (MB)"; `contactEmail` → "Contact email". */
export function labelOf(field: string, labels: Record<string, string> = {}): string {
  if (labels[field]) return labels[field];
  const last = field.split('.').pop() ?? field;
  if (LABELS[last]) return LABELS[last];
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'This field';
}

/**
 * One field's AJV messages as one predicate. A union (`anyOf`) reports each branch it tried, then
 * "must match a schema in anyOf": say the branches instead ("must be a whole number, or left
 * empty for unlimited").
 */
function predicateOf(field: string, messages: string[]): string {
  const union = messages.some((m) => /^must match (a schema in anyOf|exactly one schema in oneOf)$/.test(m));
  if (!union) return humanize(messages[0]!);
  const branches: string[] = [];
  let empty: string | null = null;
  for (const m of messages) {
    if (/^must match (a schema|exactly one schema)/.test(m)) continue;
    if (m === 'must be null') empty = EMPTY_MEANS.find(([re]) => re.test(field))?.[1] ?? 'left empty';
    else if (!branches.includes(humanize(m))) branches.push(humanize(m));
  }
  // What to type first, then that it may stay empty (schemas list null first, for AJV's sake).
  if (empty) branches.push(empty);
  if (branches.length === 0) return 'is not valid';
  // "must be a whole number, or left empty": the first branch keeps its verb, the rest share it.
  const [first, ...rest] = branches;
  return [first, ...rest.map((b) => b.replace(/^must be /, ''))].join(', or ');
}

/** A sentence for a field: its label and what is wrong. */
function sentence(field: string, predicate: string, labels: Record<string, string>): string {
  return `${labelOf(field, labels)} ${predicate}.`;
}

// Codes that are about one field though the API does not name it.
const FIELD_OF_CODE: Record<string, string> = {
  AUTH_ERR_PASSWORD_POLICY: 'password',
  AUTH_ERR_PASSWORD_INCORRECT: 'currentPassword',
  AUTH_ERR_2FA_CODE_INVALID: 'code',
  AUTH_ERR_SCOPE_NOT_HELD: 'scopes',
  AUTH_ERR_EXPIRY_INVALID: 'expiresAt',
};

interface Issue {
  field?: unknown;
  message?: unknown;
}

function issuesOf(details: unknown): Issue[] {
  if (Array.isArray(details)) return details as Issue[];
  return details && typeof details === 'object' ? [details as Issue] : [];
}

/**
 * Errors for a form. `rename` maps API field names to the form's input names where they differ
 * (e.g. `password` → `newPassword` on the change-password form); `labels` names fields by the
 * form's input names where the built-in words would not fit (a plugin's schema `title`).
 */
export function formErrors(
  error: ApiError,
  rename: Record<string, string> = {},
  labels: Record<string, string> = {},
): FormErrors {
  const fields: Record<string, string> = {};
  // Schema errors (the gateway's AJV, the kernel's TypeBox for plugin config) carry a message
  // per field; a plugin's own error names its field and says the rest in its message.
  const schemaError = error.code === 'HOST_ERR_VALIDATION' || error.code === 'KERNEL_ERR_CONFIG_INVALID';
  // AJV's messages, grouped by the input they are about (a union reports several).
  const byField = new Map<string, string[]>();
  for (const issue of issuesOf(error.details)) {
    if (typeof issue.field !== 'string') continue;
    const name = fieldOfPointer(issue.field);
    const input = rename[name] ?? name;
    // A plugin error naming only its field (`{ field }`, `{ field, reason }`) is about that field.
    if (!schemaError || typeof issue.message !== 'string') {
      fields[input] = error.message;
      continue;
    }
    byField.set(input, [...(byField.get(input) ?? []), issue.message]);
  }
  for (const [input, messages] of byField) fields[input] = sentence(input, predicateOf(input, messages), labels);
  const byCode = FIELD_OF_CODE[error.code];
  if (byCode) fields[rename[byCode] ?? byCode] ??= error.message;
  // The toast: for schema errors the first field's sentence ("Invalid request: /body/x …" and
  // "invalid config for plugin …" are for programs), and how many more there are.
  const sentences = [...byField.keys()].map((k) => fields[k]!);
  const message =
    schemaError && sentences.length > 0
      ? sentences.length === 1
        ? sentences[0]!
        : `${sentences[0]} (and ${sentences.length - 1} more: see the marked fields)`
      : error.message;
  return { message, fields };
}

/** A message fit for a person, for an error with no field. */
export function describe(error: ApiError): string {
  return formErrors(error).message || error.code;
}
