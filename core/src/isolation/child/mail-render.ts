/**
 * An isolated plugin's mail templates, on the child's side: described as data when the plugin
 * loads, rendered on the kernel's request (`mail.render`). The kernel lays out, escapes and
 * brands what comes back, and measures it again (core/src/isolation/remote-mails.ts): this
 * side's check spares the channel an oversized answer from an honest runner, the kernel's is
 * the one a hostile process cannot skip. It lives beside the runner because an isolated
 * plugin's process may read the runner's folder and nothing else of the kernel.
 */
import { encodeSymbols } from './codec.js';
import type { MailRenderParams, MailTemplateDescription } from './protocol.js';

/**
 * Characters a rendered mail's content may hold (subject and blocks; containers count 8 each).
 * Real mails are a few kB; an invoice with many lines stays well under this.
 */
export const MAX_MAIL_CONTENT_CHARS = 256 * 1024;

interface TemplateLike {
  id?: unknown;
  description?: unknown;
  variables?: unknown;
  sample?: unknown;
  render?: unknown;
}

/** The definition's `mails` as data (the kernel checks them: ids, sizes, duplicates). */
export function describeMails(mails: unknown): MailTemplateDescription[] {
  if (!Array.isArray(mails)) return [];
  return (mails as TemplateLike[]).map((mail) => ({
    id: String(mail?.id),
    description: typeof mail?.description === 'string' ? mail.description : '',
    variables: encodeSymbols(mail?.variables ?? null) ?? null,
    sample: encodeSymbols(mail?.sample ?? null) ?? null,
  }));
}

/**
 * A size of `value` past which it is refused: string lengths plus 8 per number, boolean,
 * array or object member. Stops counting at `limit + 1`, without recursion (a deeply nested or
 * cyclic value costs no stack and is simply too large).
 */
export function contentSize(value: unknown, limit = MAX_MAIL_CONTENT_CHARS): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length;
    else if (typeof item !== 'object' || item === null) size += 8;
    else if (Array.isArray(item)) {
      size += 8;
      for (let i = 0; i < item.length && size <= limit; i++, size += 8) stack.push(item[i]);
    } else {
      size += 8;
      for (const key in item) {
        if (size > limit) break;
        if (!Object.hasOwn(item, key)) continue;
        size += 8 + key.length;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return Math.min(size, limit + 1);
}

/** Render template `params.id` of `mails`: its subject and blocks, nothing else. */
export function renderMail(mails: unknown, params: MailRenderParams): { subject: unknown; blocks: unknown } {
  const template = (Array.isArray(mails) ? (mails as TemplateLike[]) : []).find((m) => m?.id === params.id);
  if (typeof template?.render !== 'function') throw new Error(`no mail template "${String(params.id)}" in this plugin`);
  const content = (template.render as (variables: unknown, brand: unknown) => unknown)(params.variables, params.brand);
  if (typeof (content as { then?: unknown } | null)?.then === 'function') {
    throw new TypeError('render must return { subject, blocks } at once, not a promise');
  }
  const { subject, blocks } = (content ?? {}) as { subject?: unknown; blocks?: unknown };
  const size = contentSize([subject, blocks]);
  if (size > MAX_MAIL_CONTENT_CHARS) {
    throw Object.assign(new Error(`the rendered mail holds more than ${MAX_MAIL_CONTENT_CHARS} characters`), {
      code: 'MAILER_ERR_RENDER_TOO_LARGE',
    });
  }
  return { subject, blocks };
}
