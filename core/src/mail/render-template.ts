/**
 * Renders a mail template: variables checked against its schema, content wrapped in the layout.
 * Used for sending (`mailer.sendTemplate`) and for the admin preview, so both show the same mail.
 */
import type { AnyMailTemplate, MailBlock, MailBrand } from '@hostplane/sdk';
import { Value } from '@sinclair/typebox/value';
import { MailerErrors } from '../services/errors.js';
import { layoutHtml, layoutText } from './layout.js';

/** A rendered mail. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Marks a template whose content is rendered elsewhere: an isolated plugin's, rendered in its
 * process within a time and size limit (core/src/isolation/remote-mails.ts).
 */
export const RENDER_REMOTELY = Symbol('hostplane.mail.renderRemotely');

/** A template rendered in its plugin's process; its own `render` is never called here. */
export type RemoteMailTemplate = AnyMailTemplate & {
  [RENDER_REMOTELY](variables: unknown, brand: MailBrand): Promise<unknown>;
};

function isRemote(template: AnyMailTemplate): template is RemoteMailTemplate {
  return typeof (template as Partial<RemoteMailTemplate>)[RENDER_REMOTELY] === 'function';
}

/**
 * The one path for sending and for the preview, for any plugin's template. An isolated plugin's
 * variables are not checked against its schema here: the schema is the plugin's, and running
 * its patterns on the host's event loop would let a catastrophic regular expression stall the
 * host; they only ever reach that plugin's own `render`, and the layout escapes what it returns.
 */
export async function renderMailTemplate(template: AnyMailTemplate, variables: unknown, brand: MailBrand): Promise<RenderedMail> {
  if (isRemote(template)) return layoutMail(await template[RENDER_REMOTELY](variables, brand), brand);
  return renderTemplate(template, variables, brand);
}

export function renderTemplate(template: AnyMailTemplate, variables: unknown, brand: MailBrand): RenderedMail {
  if (!Value.Check(template.variables, variables)) {
    const first = Value.Errors(template.variables, variables).First();
    throw MailerErrors.variablesInvalid(template.id, first ? `${first.path || '/'}: ${first.message}` : 'they do not match');
  }
  return layoutMail(template.render(variables, brand), brand);
}

/**
 * Content wrapped in the layout: also for content an isolated plugin rendered in its own process
 * (anything but well-formed blocks is dropped, every string is escaped in the HTML).
 */
export function layoutMail(content: unknown, brand: MailBrand): RenderedMail {
  const { subject: rawSubject, blocks: rawBlocks } = (content ?? {}) as { subject?: unknown; blocks?: unknown };
  const blocks = Array.isArray(rawBlocks) ? rawBlocks.filter(isBlock) : [];
  // One header line whatever a variable held: a line break in a subject is header injection.
  const subject = String(rawSubject ?? '')
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
  return { subject, text: layoutText(blocks, brand), html: layoutHtml(subject, blocks, brand) };
}

function isBlock(block: unknown): block is MailBlock {
  if (typeof block === 'string') return true;
  if (typeof block !== 'object' || block === null) return false;
  if ('action' in block) {
    const action = (block as { action: unknown }).action as { label?: unknown; url?: unknown } | null;
    return typeof action?.label === 'string' && typeof action.url === 'string';
  }
  const facts = (block as { facts?: unknown }).facts;
  return Array.isArray(facts) && facts.every((f) => Array.isArray(f) && f.length === 2 && f.every((x) => typeof x === 'string'));
}
