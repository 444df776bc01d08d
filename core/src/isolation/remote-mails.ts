/**
 * An isolated plugin's mail templates in the kernel: stand-ins made from what its process
 * described when it loaded, listed like any plugin's, whose content is rendered in the process
 * (`mail.render`) for the admin preview and for sending alike. Whatever comes back is bounded
 * here, where a hostile process cannot skip the check: an answer later than the time limit is
 * a 504, one larger than the size limit or a failure of the plugin's code a 502, so a plugin
 * can neither hang nor flood the admin page or the outbox.
 */
import type { AnyMailTemplate, MailBrand } from '@hostplane/sdk';
import { RENDER_REMOTELY, type RemoteMailTemplate } from '../mail/render-template.js';
import { MailerErrors } from '../services/errors.js';
import { decodeSymbols } from './child/codec.js';
import { contentSize, MAX_MAIL_CONTENT_CHARS } from './child/mail-render.js';
import { RemoteError } from './child/peer.js';
import type { MailRenderParams, MailTemplateDescription } from './child/protocol.js';
import { IsolationErrors } from './errors.js';

/** Templates one plugin may describe, and the sizes of their parts (JSON characters). */
const MAX_TEMPLATES = 100;
const MAX_DESCRIPTION = 500;
const MAX_DATA_CHARS = 64 * 1024;

/** A call into the plugin's process, bounded by `timeoutMs`. */
export type RenderCall = (params: MailRenderParams, timeoutMs: number) => Promise<unknown>;

/** Plain JSON data of at most `max` characters, else a TypeError naming `what`. */
function plainData(value: unknown, what: string): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    throw new TypeError(`${what} must be plain data`);
  }
  if (json !== undefined && json.length > MAX_DATA_CHARS)
    throw new TypeError(`${what} is larger than ${MAX_DATA_CHARS} characters`);
  return decodeSymbols(value);
}

/**
 * Stand-ins for the templates `described` by plugin `pluginId`'s process. Throws a TypeError
 * (failing the load) for a description that is not a short list of plain-data templates; ids
 * and duplicates are checked at activation, as for any plugin (template-catalog.ts).
 */
export function remoteMailTemplates(
  pluginId: string,
  described: unknown,
  options: { call: RenderCall; timeoutMs: number },
): RemoteMailTemplate[] {
  if (described === undefined || described === null) return [];
  if (!Array.isArray(described)) throw new TypeError(`plugin ${pluginId}: its mail templates must be a list`);
  if (described.length > MAX_TEMPLATES) throw new TypeError(`plugin ${pluginId}: more than ${MAX_TEMPLATES} mail templates`);
  return (described as Array<Partial<MailTemplateDescription> | null>).map((mail) => {
    const id = mail?.id;
    if (typeof id !== 'string' || id.length > 200) throw new TypeError(`plugin ${pluginId}: a mail template has no valid id`);
    const description = mail?.description;
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) {
      throw new TypeError(`plugin ${pluginId}: mail template ${id} needs a description of at most ${MAX_DESCRIPTION} characters`);
    }
    const template = {
      id,
      description,
      variables: plainData(mail?.variables, `mail template ${id}'s variables schema`),
      sample: plainData(mail?.sample, `mail template ${id}'s sample`),
      render: () => {
        throw new Error(`mail template ${id} is rendered in its plugin's process`);
      },
      [RENDER_REMOTELY]: (variables: unknown, brand: MailBrand) => renderRemotely(id, variables, brand, options),
    };
    return Object.freeze(template) as RemoteMailTemplate;
  });
}

async function renderRemotely(
  id: string,
  variables: unknown,
  brand: MailBrand,
  { call, timeoutMs }: { call: RenderCall; timeoutMs: number },
): Promise<{ subject: unknown; blocks: unknown }> {
  let answer: unknown;
  try {
    answer = await call({ id, variables, brand }, timeoutMs);
  } catch (error) {
    throw renderError(id, error, timeoutMs);
  }
  const { subject, blocks } = (typeof answer === 'object' && answer !== null ? answer : {}) as {
    subject?: unknown;
    blocks?: unknown;
  };
  if (contentSize([subject, blocks]) > MAX_MAIL_CONTENT_CHARS) throw MailerErrors.renderTooLarge(id, MAX_MAIL_CONTENT_CHARS);
  return { subject, blocks };
}

/** What the admin or the sender sees when the process did not render: never the plugin's own status. */
function renderError(id: string, error: unknown, timeoutMs: number): Error {
  // Thrown in the process (its status and code are the plugin's to choose, so not passed on).
  if (error instanceof RemoteError) {
    if (error.code === MailerErrors.renderTooLarge.code) return MailerErrors.renderTooLarge(id, MAX_MAIL_CONTENT_CHARS);
    return MailerErrors.renderFailed(id, oneLine(error.message));
  }
  if (IsolationErrors.timeout.is(error)) return MailerErrors.renderTimeout(id, timeoutMs);
  // The process is down or was killed meanwhile: the kernel's own 503 says why.
  if (IsolationErrors.unavailable.is(error)) return error;
  return MailerErrors.renderFailed(id, oneLine(error instanceof Error ? error.message : String(error)));
}

function oneLine(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || 'no reason given';
}

/** A started isolated plugin's own template `id`, for `mail.send` from its process. */
export function ownTemplate(templates: readonly AnyMailTemplate[], id: unknown): AnyMailTemplate {
  const found = templates.find((t) => t.id === id);
  if (!found) throw MailerErrors.templateNotFound(String(id).slice(0, 200));
  return found;
}
