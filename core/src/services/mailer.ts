/**
 * The mailer (`coreServices.mailer`). Every mail is written to `hostplane.outbox`, where admins
 * and tests read it (`listOutbox`); with SMTP configured, `MailDelivery` (core/src/mail) sends it
 * from there. With no SMTP the outbox stays the development transport.
 */
import type { MailBrand, MailBranding, MailerService, MailMessage } from '@hostplane/sdk';
import { resolveBrand } from '../mail/branding.js';
import { renderMailTemplate, type RenderedMail } from '../mail/render-template.js';
import type { Knex } from 'knex';
import { OUTBOX_STATUSES, type OutboxMail, type OutboxStatus } from '../kernel-api.js';
import { normaliseEmail } from './email-address.js';
import { MailerErrors } from './errors.js';
import { isPlainObject, resolveLimit } from './validation.js';

interface DbRow {
  id: string;
  source: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  tag: string | null;
  from_name: string | null;
  reply_to: string | null;
  attachments: StoredAttachment[] | string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  message_id: string | null;
  created_at: Date;
}

/** An attachment as the outbox keeps it (base64 content inside jsonb). */
export interface StoredAttachment {
  filename: string;
  contentType: string;
  content: string;
}

type InsertRow = Pick<
  DbRow,
  'source' | 'to_address' | 'subject' | 'text_body' | 'html_body' | 'tag' | 'from_name' | 'reply_to'
> & {
  attachments: string;
};

const TABLE = 'hostplane.outbox';
// RFC 5322 caps a header line at 998 characters.
const MAX_SUBJECT = 998;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const MAX_NAME = 200;
// A MIME type: type "/" subtype, with optional parameters; no line breaks.
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(;[ a-z0-9=_.+"-]*)*$/i;

/**
 * A mailer whose mails are attributed to `source` (`core` or a plugin id); `branding` lists the
 * started `mail-branding` sources (none: every mail carries the default brand).
 */
export function createMailerService(knex: Knex, source: string, branding: () => MailBranding[] = () => []): MailerService {
  // A wiring mistake, not a bad mail.
  if (typeof source !== 'string' || source === '') throw new TypeError('mailer source must be a non-empty string');
  const mailer: MailerService = {
    async send(message: MailMessage, options: { trx?: Knex.Transaction } = {}): Promise<{ id: string }> {
      const row = toRow(source, message);
      const [inserted] = await (options.trx ?? knex)<DbRow>(TABLE).insert(row).returning('id');
      return { id: inserted!.id };
    },
    brand: (from) => resolveBrand({ knex, sources: branding }, from),
    sendTemplate: (template, input, options) => sendTemplateWith(mailer, template, input, options),
  };
  return mailer;
}

type TemplateInput = Parameters<MailerService['sendTemplate']>[1];

function fromOf(input: { issuer?: string; recipientId?: string }): { issuer?: string; recipientId?: string } {
  return {
    ...(input.issuer !== undefined ? { issuer: input.issuer } : {}),
    ...(input.recipientId !== undefined ? { recipientId: input.recipientId } : {}),
  };
}

function queue(
  mailer: Pick<MailerService, 'send'>,
  tag: string,
  mail: RenderedMail,
  brand: MailBrand,
  input: Omit<TemplateInput, 'variables'>,
  options?: { trx?: Knex.Transaction },
): Promise<{ id: string }> {
  const replyTo = input.replyTo ?? brand.replyTo ?? undefined;
  return mailer.send(
    {
      to: input.to,
      ...mail,
      tag,
      fromName: brand.name,
      ...(replyTo ? { replyTo } : {}),
      ...(input.attachments ? { attachments: input.attachments } : {}),
    },
    options,
  );
}

/** `sendTemplate` on top of a mailer's `brand` and `send`. */
export async function sendTemplateWith(
  mailer: Pick<MailerService, 'brand' | 'send'>,
  template: Parameters<MailerService['sendTemplate']>[0],
  input: TemplateInput,
  options?: { trx?: Knex.Transaction },
): Promise<{ id: string }> {
  if (!isPlainObject(input)) throw MailerErrors.messageInvalid('the input must be an object');
  const brand = await mailer.brand(fromOf(input));
  return queue(mailer, template.id, await renderMailTemplate(template, input.variables, brand), brand, input, options);
}

function toRow(source: string, message: MailMessage): InsertRow {
  if (!isPlainObject(message)) throw MailerErrors.messageInvalid('the message must be an object');
  const to = normaliseEmail(message.to);
  if (!to) throw MailerErrors.messageInvalid('"to" must be one valid email address');
  const { subject, text, html, tag } = message;
  // A line break in a header is how header injection starts, whatever the transport.
  if (typeof subject !== 'string' || subject.trim() === '' || subject.length > MAX_SUBJECT || /[\r\n]/.test(subject)) {
    throw MailerErrors.messageInvalid(`"subject" must be one non-empty line of at most ${MAX_SUBJECT} characters`);
  }
  if (typeof text !== 'string') throw MailerErrors.messageInvalid('"text" must be a string');
  if (html !== undefined && typeof html !== 'string') throw MailerErrors.messageInvalid('"html" must be a string');
  if (tag !== undefined && (typeof tag !== 'string' || tag.length > 200)) {
    throw MailerErrors.messageInvalid('"tag" must be a string of at most 200 characters');
  }
  if ([subject, text, html ?? '', tag ?? ''].some((part) => part.includes('\0'))) {
    throw MailerErrors.messageInvalid('a mail cannot contain NUL characters');
  }
  const fromName = message.fromName;
  if (fromName !== undefined && !isOneLine(fromName, MAX_NAME)) {
    throw MailerErrors.messageInvalid(`"fromName" must be one non-empty line of at most ${MAX_NAME} characters`);
  }
  let replyTo: string | null = null;
  if (message.replyTo !== undefined) {
    replyTo = normaliseEmail(message.replyTo) ?? null;
    if (!replyTo) throw MailerErrors.messageInvalid('"replyTo" must be one valid email address');
  }
  return {
    source,
    to_address: to,
    subject,
    text_body: text,
    html_body: html ?? null,
    tag: tag ?? null,
    from_name: fromName ?? null,
    reply_to: replyTo,
    attachments: JSON.stringify(toAttachments(message.attachments)),
  };
}

function isOneLine(value: unknown, max: number): value is string {
  // Control characters (line breaks, NUL) in a header are how header injection starts.
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && value.trim() !== '' && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value);
}

function toAttachments(attachments: MailMessage['attachments']): StoredAttachment[] {
  if (attachments === undefined) return [];
  if (!Array.isArray(attachments)) throw MailerErrors.messageInvalid('"attachments" must be an array');
  let total = 0;
  return attachments.map((attachment: unknown, index) => {
    const at = `attachments[${index}]`;
    if (!isPlainObject(attachment)) throw MailerErrors.messageInvalid(`${at} must be an object`);
    const { filename, contentType, content } = attachment;
    if (!isOneLine(filename, 255) || /[\\/]/.test(filename)) {
      throw MailerErrors.messageInvalid(`${at}.filename must be a file name of at most 255 characters, without slashes`);
    }
    if (typeof contentType !== 'string' || contentType.length > 200 || !CONTENT_TYPE.test(contentType)) {
      throw MailerErrors.messageInvalid(`${at}.contentType must be a MIME type such as application/pdf`);
    }
    if (!(content instanceof Uint8Array)) throw MailerErrors.messageInvalid(`${at}.content must be bytes (a Uint8Array)`);
    total += content.byteLength;
    if (total > MAX_ATTACHMENT_BYTES) throw MailerErrors.messageInvalid('attachments may hold at most 10 MB in all');
    return {
      filename,
      contentType,
      content: Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('base64'),
    };
  });
}

/** Mails in the outbox, newest first; `to` is matched case-insensitively. */
export async function listOutbox(
  knex: Knex,
  filter: { to?: string; status?: OutboxStatus; limit?: number } = {},
): Promise<OutboxMail[]> {
  const limit = resolveLimit(filter.limit, 50, 500, MailerErrors.filterInvalid);
  const query = knex<DbRow>(TABLE)
    .select('*')
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  if (filter.to !== undefined) {
    if (typeof filter.to !== 'string') throw MailerErrors.filterInvalid('"to" must be a string');
    // Stored addresses are normalised the same way, so this is an index lookup.
    query.where('to_address', filter.to.trim().toLowerCase());
  }
  if (filter.status !== undefined) {
    if (!OUTBOX_STATUSES.includes(filter.status))
      throw MailerErrors.filterInvalid(`"status" must be one of ${OUTBOX_STATUSES.join(', ')}`);
    query.where('status', filter.status);
  }
  const rows = await query.limit(limit);
  return rows.map((row) => ({
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    tag: row.tag,
    source: row.source,
    fromName: row.from_name,
    replyTo: row.reply_to,
    attachments: storedAttachments(row.attachments).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: Buffer.byteLength(a.content, 'base64'),
    })),
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    messageId: row.message_id,
    sentAt: row.sent_at ? row.sent_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  }));
}

/** Attachments of a row (pg returns jsonb parsed; a raw string when read through a cast). */
export function storedAttachments(value: StoredAttachment[] | string): StoredAttachment[] {
  return typeof value === 'string' ? (JSON.parse(value) as StoredAttachment[]) : value;
}
