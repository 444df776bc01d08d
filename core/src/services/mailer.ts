/**
 * The mailer (`coreServices.mailer`). The development transport is the outbox table: every
 * mail is written to `hostplane.outbox`, where admins and tests read it (`listOutbox`).
 */
import type { MailerService, MailMessage } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { OutboxMail } from '../kernel-api.js';
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
  created_at: Date;
}

const TABLE = 'hostplane.outbox';
// RFC 5322 caps a header line at 998 characters.
const MAX_SUBJECT = 998;

/** A mailer whose mails are attributed to `source` (`core` or a plugin id). */
export function createMailerService(knex: Knex, source: string): MailerService {
  // A wiring mistake, not a bad mail.
  if (typeof source !== 'string' || source === '') throw new TypeError('mailer source must be a non-empty string');
  return {
    async send(message: MailMessage, options: { trx?: Knex.Transaction } = {}): Promise<{ id: string }> {
      const row = toRow(source, message);
      const [inserted] = await (options.trx ?? knex)<DbRow>(TABLE).insert(row).returning('id');
      return { id: inserted!.id };
    },
  };
}

function toRow(source: string, message: MailMessage): Omit<DbRow, 'id' | 'created_at'> {
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
  return { source, to_address: to, subject, text_body: text, html_body: html ?? null, tag: tag ?? null };
}

/** Mails in the outbox, newest first; `to` is matched case-insensitively. */
export async function listOutbox(knex: Knex, filter: { to?: string; limit?: number } = {}): Promise<OutboxMail[]> {
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
  const rows = await query.limit(limit);
  return rows.map((row) => ({
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    tag: row.tag,
    source: row.source,
    createdAt: row.created_at.toISOString(),
  }));
}
