/**
 * The mail templates of the started plugins, for the admin listing and preview. A plugin's
 * templates are checked when it is activated (ids under its own id, no duplicates), so one
 * plugin cannot show its mail under another's name.
 */
import type { AnyMailTemplate, MailBrand } from '@hostplane/sdk';
import { MailerErrors } from '../services/errors.js';
import { renderMailTemplate, type RenderedMail } from './render-template.js';

/** A template as admins see it in the listing. */
export interface MailTemplateInfo {
  id: string;
  pluginId: string;
  description: string;
  /** JSON Schema of the variables. */
  variables: unknown;
}

/** A template rendered with its sample for one issuer. */
export interface MailPreview extends RenderedMail {
  id: string;
  brand: MailBrand;
}

/** Throws (failing the activation) when `mails` is not a list of templates under `pluginId`. */
export function checkMailTemplates(pluginId: string, mails: unknown): void {
  if (mails === undefined) return;
  if (!Array.isArray(mails)) throw new TypeError(`plugin ${pluginId}: "mails" must be a list of mail templates`);
  const seen = new Set<string>();
  for (const mail of mails as AnyMailTemplate[]) {
    const id = (mail as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !id.startsWith(`${pluginId}.`) || typeof mail.render !== 'function') {
      throw new TypeError(
        `plugin ${pluginId}: mail template "${String(id)}" must be made by defineMailTemplate with an id "${pluginId}.<name>"`,
      );
    }
    if (seen.has(id)) throw new TypeError(`plugin ${pluginId}: mail template "${id}" is declared twice`);
    seen.add(id);
  }
}

export function templateInfo(pluginId: string, template: AnyMailTemplate): MailTemplateInfo {
  return { id: template.id, pluginId, description: template.description, variables: template.variables };
}

/** Render `template` with its sample in `brand`'s layout (as it would be sent). */
export async function previewOf(template: AnyMailTemplate | undefined, id: string, brand: MailBrand): Promise<MailPreview> {
  if (!template) throw MailerErrors.templateNotFound(id);
  return { id, brand, ...(await renderMailTemplate(template, template.sample, brand)) };
}
