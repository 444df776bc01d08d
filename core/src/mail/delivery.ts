/**
 * Delivers the outbox over SMTP (nodemailer), at most once per mail (docs/decisions/0018):
 * 1. claim: one statement moves a due `queued` row to `sending` (attempts + 1, Message-ID fixed)
 *    and commits, before any byte goes to the SMTP server;
 * 2. send with that Message-ID;
 * 3. record the outcome: `sent`; `queued` again later on a 4xx reply or a connection failure or
 *    time-out (backoff doubling from `retryBaseMs`); `failed` on a 5xx reply or when attempts run out.
 * A process that dies between 1 and 3 leaves the row `sending`. It may or may not have been
 * handed to the server, so it is never sent again by itself: after `claimTimeoutMs` it becomes
 * `uncertain`, which an admin sees and may re-queue (`requeueMail`). That is the one window where
 * a mail can be lost instead of doubled; it lasts one SMTP transaction.
 */
import { hostname } from 'node:os';
import type { Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import type { Transporter, TransportOptions } from 'nodemailer';
import { storedAttachments, type StoredAttachment } from '../services/mailer.js';

/** How the host sends mail. */
export interface MailDeliveryOptions {
  /** `smtp://user:pass@host:587`, `smtps://…:465`; nodemailer's URL options (`?pool=true`) apply. */
  smtpUrl: string;
  /** The sender's address, e.g. `billing@example.com` (`HOSTPLANE_MAIL_FROM`). */
  from?: string;
  /** The display name when the mail names none (default `Hostplane`). */
  fromName?: string;
  /** Attempts before a mail is `failed` (default 8). */
  maxAttempts?: number;
  /** First retry delay; each later one doubles, capped at 6 h (default 60 s). */
  retryBaseMs?: number;
  /** A `sending` claim older than this is a crashed sender's: `uncertain` (default 10 min). */
  claimTimeoutMs?: number;
  /** Mails due for longer than this (no SMTP until now) are `expired`, not sent (default 3 days). */
  maxAgeMs?: number;
  /** How often the outbox is looked at when idle (default 2 s). */
  pollMs?: number;
  /** SMTP connection and greeting time-outs (default 30 s). */
  timeoutMs?: number;
}

interface ClaimedRow {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  from_name: string | null;
  reply_to: string | null;
  attachments: StoredAttachment[] | string;
  attempts: number;
  message_id: string;
}

/** What one pass did. */
export interface DeliveryPass {
  sent: number;
  retried: number;
  failed: number;
  uncertain: number;
  expired: number;
}

const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;
// Connection-level failures: nothing was accepted, so trying again cannot double a mail.
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** Whether an SMTP failure is worth another try: a 4xx reply, a time-out, a lost connection. */
export function isTransient(error: unknown): boolean {
  const e = error as { responseCode?: number; code?: string };
  if (typeof e?.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  return typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code);
}

/** Delay before attempt `attempts + 1`: base, 2 × base, 4 × base … capped at 6 h. */
export function backoffMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export class MailDelivery {
  private readonly transport: Transporter;
  private readonly from: { name: string; address: string };
  private readonly messageIdDomain: string;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly claimTimeoutMs: number;
  private readonly maxAgeMs: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
    options: MailDeliveryOptions,
  ) {
    const timeout = options.timeoutMs ?? 30_000;
    // nodemailer merges the URL's own settings (`?pool=true&socketTimeout=…`) over these.
    this.transport = nodemailer.createTransport({
      url: options.smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    } as TransportOptions) as Transporter;
    const address = options.from ?? `hostplane@${hostname()}`;
    this.from = { name: options.fromName ?? 'Hostplane', address };
    this.messageIdDomain = address.split('@')[1] || hostname();
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryBaseMs = options.retryBaseMs ?? 60_000;
    this.claimTimeoutMs = options.claimTimeoutMs ?? 10 * 60_000;
    this.maxAgeMs = options.maxAgeMs ?? 3 * 24 * 60 * 60_000;
    this.pollMs = options.pollMs ?? 2_000;
  }

  /** Poll the outbox until {@link stop}. */
  start(): void {
    if (this.timer || this.stopped) return;
    const tick = (): void => {
      this.running = this.deliverDue()
        .catch((err: unknown) => this.logger.error({ err }, 'mail delivery pass failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stop polling; waits for a pass under way (its mails finish and are recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  /**
   * One pass: mark stale claims and old mails, then send every due mail, one at a time. A pass
   * tries each mail once: a retry that falls due before the pass ends (a short backoff, a slow
   * server) waits for the next pass instead of spending every attempt at once.
   */
  async deliverDue(): Promise<DeliveryPass> {
    const pass: DeliveryPass = { sent: 0, retried: 0, failed: 0, uncertain: 0, expired: 0 };
    pass.uncertain = await this.markStaleClaims();
    pass.expired = await this.expireOld();
    const tried: string[] = [];
    for (;;) {
      if (this.stopped && pass.sent + pass.retried + pass.failed > 0) break;
      const row = await this.claim(tried);
      if (!row) break;
      tried.push(row.id);
      pass[await this.sendClaimed(row)] += 1;
    }
    return pass;
  }

  private async markStaleClaims(): Promise<number> {
    const rows = await this.knex('hostplane.outbox')
      .where('status', 'sending')
      .andWhere('claimed_at', '<', this.knex.raw(`now() - make_interval(secs => ?)`, [this.claimTimeoutMs / 1000]))
      .update({ status: 'uncertain', last_error: 'the sender stopped during the SMTP transaction; not sent again by itself' })
      .returning('id');
    for (const { id } of rows)
      this.logger.warn({ mailId: id }, 'mail left uncertain by a stopped sender; re-queue it to send again');
    return rows.length;
  }

  private async expireOld(): Promise<number> {
    const rows = await this.knex('hostplane.outbox')
      .where('status', 'queued')
      .andWhere('next_attempt_at', '<', this.knex.raw(`now() - make_interval(secs => ?)`, [this.maxAgeMs / 1000]))
      .update({ status: 'expired', last_error: 'queued too long ago to be worth sending' })
      .returning('id');
    return rows.length;
  }

  /** Take one due mail not in `tried`: committed as `sending` before the SMTP transaction starts. */
  private async claim(tried: string[]): Promise<ClaimedRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: ClaimedRow[] }>(
      `update hostplane.outbox o
          set status = 'sending', claimed_at = now(), attempts = o.attempts + 1,
              message_id = coalesce(o.message_id, '<' || o.id || '@' || ? || '>')
        where o.id = (select id from hostplane.outbox
                       where status = 'queued' and next_attempt_at <= now() and id <> all(?::uuid[])
                       order by next_attempt_at, id
                       limit 1
                       for update skip locked)
        returning o.id, o.to_address, o.subject, o.text_body, o.html_body, o.from_name, o.reply_to,
                  o.attachments, o.attempts, o.message_id`,
      [this.messageIdDomain, tried],
    );
    return rows[0];
  }

  private async sendClaimed(row: ClaimedRow): Promise<'sent' | 'retried' | 'failed'> {
    try {
      await this.transport.sendMail({
        from: { name: row.from_name ?? this.from.name, address: this.from.address },
        to: row.to_address,
        ...(row.reply_to ? { replyTo: row.reply_to } : {}),
        subject: row.subject,
        text: row.text_body,
        ...(row.html_body !== null ? { html: row.html_body } : {}),
        messageId: row.message_id,
        attachments: storedAttachments(row.attachments).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: Buffer.from(a.content, 'base64'),
        })),
      });
    } catch (err) {
      const message = (err as Error).message?.slice(0, 1000) ?? String(err);
      if (isTransient(err) && row.attempts < this.maxAttempts) {
        const delay = backoffMs(row.attempts, this.retryBaseMs);
        await this.knex('hostplane.outbox')
          .where({ id: row.id, status: 'sending' })
          .update({
            status: 'queued',
            claimed_at: null,
            last_error: message,
            next_attempt_at: this.knex.raw(`now() + make_interval(secs => ?)`, [delay / 1000]),
          });
        this.logger.warn({ mailId: row.id, attempts: row.attempts, retryInMs: delay, err: message }, 'mail not sent; will retry');
        return 'retried';
      }
      await this.knex('hostplane.outbox')
        .where({ id: row.id, status: 'sending' })
        .update({ status: 'failed', last_error: message });
      this.logger.error({ mailId: row.id, attempts: row.attempts, err: message }, 'mail not sent; giving up');
      return 'failed';
    }
    await this.knex('hostplane.outbox')
      .where({ id: row.id, status: 'sending' })
      .update({ status: 'sent', sent_at: this.knex.fn.now(), last_error: null });
    return 'sent';
  }
}

/**
 * Send an `uncertain` or `failed` mail again (an admin's decision: it may arrive twice).
 * Returns false when the mail is not in one of those states.
 */
export async function requeueMail(knex: Knex, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const count = await knex('hostplane.outbox')
    .where({ id })
    .whereIn('status', ['uncertain', 'failed', 'expired'])
    .update({ status: 'queued', next_attempt_at: knex.fn.now(), claimed_at: null, attempts: 0 });
  return count > 0;
}
