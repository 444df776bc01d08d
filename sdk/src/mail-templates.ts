/**
 * Mail templates: a plugin declares each mail it sends once (id, variables, a sample, content),
 * lists them in `definePlugin({ mails })`, and sends with `mailer.sendTemplate`. The kernel wraps
 * every mail in one layout branded for its issuer (the platform or a reseller) and renders HTML
 * and text from the same blocks, escaping every variable in the HTML. Admins preview them all.
 */
import type { Static, TSchema } from '@sinclair/typebox';

/**
 * One piece of a mail's body. A plain string is a paragraph (line breaks kept); `action` is a
 * link shown as a button (http/https only; anything else is shown as text, never linked);
 * `facts` is a short table of label/value pairs (an amount, a due date).
 */
export type MailBlock = string | { action: { label: string; url: string } } | { facts: Array<[label: string, value: string]> };

/** What a template renders: the subject line and the body blocks; the layout adds greeting-free branding and the sign-off. */
export interface MailContent {
  /** One line; line breaks are turned into spaces. */
  subject: string;
  blocks: MailBlock[];
}

/**
 * Who a mail is from, as the layout shows it. `issuer` is `platform` or a reseller's user id (the
 * same values as billing's issuers).
 */
export interface MailBrand {
  issuer: string;
  /** Shown in the header, the sign-off and as the sender's display name. */
  name: string;
  /** An https: URL or a `data:image/…;base64,` URL; null: the name is shown instead. */
  logoUrl: string | null;
  /** Accent colour, `#rrggbb`. */
  color: string;
  /** Where replies go; null: the platform's address. */
  replyTo: string | null;
}

/** Branding an issuer set up, as a {@link MailBranding} source answers it; missing fields keep the defaults. */
export type MailBrandOverrides = Partial<Omit<MailBrand, 'issuer'>>;

/**
 * The `mail-branding` extension point: where the kernel asks for an issuer's branding (billing
 * implements it from its issuers' name, logo, colour and reply-to address).
 */
export interface MailBranding {
  /** Branding of `issuer` (`platform` or a reseller's user id); undefined when it set none. */
  brandOf(issuer: string): Promise<MailBrandOverrides | undefined>;
}

/** A mail a plugin sends, declared once. Make it with {@link defineMailTemplate}. */
export interface MailTemplate<S extends TSchema = TSchema> {
  /** `<plugin id>.<name>` in kebab-case, e.g. `auth.verify-email`; also the outbox tag. */
  readonly id: string;
  /** One line for admins: when the mail is sent. */
  readonly description: string;
  /** TypeBox schema of the variables; checked on every send. */
  readonly variables: S;
  /** Variables for the admin preview; must match `variables`. */
  readonly sample: Static<S>;
  /** Subject and body for these variables. Return plain text: the kernel escapes it for HTML. */
  render(variables: Static<S>, brand: MailBrand): MailContent;
}

/** A template of any variables, as lists hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: a list holds templates of different schemas
export type AnyMailTemplate = MailTemplate<any>;

const TEMPLATE_ID = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

/**
 * Declare a mail template.
 *
 * @example
 * ```ts
 * export const welcomeMail = defineMailTemplate({
 *   id: 'hello.welcome',
 *   description: 'Sent when an account is opened',
 *   variables: Type.Object({ name: Type.String(), url: Type.String() }),
 *   sample: { name: 'Ada', url: 'https://panel.example/login' },
 *   render: ({ name, url }, brand) => ({
 *     subject: `Welcome to ${brand.name}`,
 *     blocks: [`Hello ${name},`, { action: { label: 'Sign in', url } }],
 *   }),
 * });
 * ```
 */
export function defineMailTemplate<S extends TSchema>(template: MailTemplate<S>): MailTemplate<S> {
  if (!TEMPLATE_ID.test(template.id)) throw new TypeError(`mail template id "${template.id}" must look like <plugin-id>.<name>`);
  return Object.freeze({ ...template });
}

/** What `mailer.sendTemplate` takes besides the template. */
export interface TemplateMailInput<S extends TSchema = TSchema> {
  to: string;
  variables: Static<S>;
  /**
   * Who sends it: `platform` or a reseller's user id. When omitted, `recipientId`'s nearest
   * reseller above it in the users tree, or the platform.
   */
  issuer?: string;
  /** The recipient's user id, to find the issuer when `issuer` is not given. */
  recipientId?: string;
  /** Overrides the brand's reply-to address. */
  replyTo?: string;
  /** At most 10 MB in all. */
  attachments?: Array<{ filename: string; contentType: string; content: Uint8Array }>;
}
