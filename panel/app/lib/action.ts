/** What actions return, so pages can show field errors and a toast the same way. */
import type { ApiResult } from './api.server';
import { formErrors, type FormErrors } from './errors';

export type ActionResult =
  { ok: true; message: string; [key: string]: unknown } | { ok: false; errors: FormErrors; intent?: string };

export function failed(
  res: Extract<ApiResult<unknown>, { ok: false }>,
  rename?: Record<string, string>,
  intent?: string,
): ActionResult {
  return { ok: false, errors: formErrors(res.error, rename), ...(intent ? { intent } : {}) };
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
