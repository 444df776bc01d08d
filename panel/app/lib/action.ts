/** What actions return, so pages can show field errors and a toast the same way. */
import type { ApiResult } from './api.server';
import { formErrors, type FormErrors } from './errors';

export type ActionResult =
  | { ok: true; message: string; [key: string]: unknown }
  | { ok: false; errors: FormErrors; intent?: string; values?: Record<string, string> };

// Never echoed back into a page: what was typed there stays in the request.
const SECRET_FIELD = /password|token|code|secret/i;

/** `{ limits: { websites: 3 } }` → `{ 'limits.websites': '3' }`: what the inputs were named. */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) out[prefix] = value.join(', ');
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if ((typeof value === 'string' || typeof value === 'number') && !SECRET_FIELD.test(prefix)) {
    out[prefix] = String(value);
  }
  return out;
}

/**
 * A refusal from the API, for the form: errors by field in words (`labels` names fields the
 * built-in words do not know), and the values sent, so the form is refilled when the page renders again without JavaScript (never secrets: see Field).
 */
export function failed(
  res: Extract<ApiResult<unknown>, { ok: false }>,
  rename?: Record<string, string>,
  intent?: string,
  labels?: Record<string, string>,
): ActionResult {
  return {
    ok: false,
    errors: formErrors(res.error, rename, labels),
    ...(intent ? { intent } : {}),
    values: flatten(res.sent),
  };
}

export function done(message: string, extra: Record<string, unknown> = {}): ActionResult {
  return { ok: true, message, ...extra };
}

export function fieldError(result: ActionResult | undefined, name: string): string | undefined {
  return result && !result.ok ? result.errors.fields[name] : undefined;
}

/** Form values as strings; empty inputs left out. */
export function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
