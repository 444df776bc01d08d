/**
 * The outbox becomes a durable delivery queue (docs/decisions/0018, "Mail is sent at most once"):
 * - the sender's display name, attachments (base64 in jsonb: mails are small and the row is the
 *   unit of delivery, so one insert in the caller's transaction carries everything);
 * - delivery state: `queued` → `sending` (claimed and committed before the SMTP transaction) →
 *   `sent` | `queued` again with a later `next_attempt_at` (4xx, time-out) | `failed` (5xx,
 *   attempts spent) | `uncertain` (a claim left by a crash: maybe sent, never sent again by
 *   itself) | `expired` (waited too long: a week-old sign-in link is worse than none);
 * - `message_id`, fixed before the first attempt, so every attempt carries the same Message-ID.
 * A trigger resets the delivery columns on insert: a plugin's role (which may insert) cannot
 * queue a mail as already sent or choose its Message-ID.
 * Mails already in the outbox were never meant to leave (development transport): `expired`.
 */
import type { Knex } from 'knex';

const STATUSES = `'queued', 'sending', 'sent', 'failed', 'uncertain', 'expired'`;

const UP = [
  `alter table hostplane.outbox
     add column from_name text null,
     add column reply_to text null,
     add column attachments jsonb not null default '[]',
     add column status text not null default 'queued' constraint outbox_status_known check (status in (${STATUSES})),
     add column attempts integer not null default 0,
     add column next_attempt_at timestamptz not null default now(),
     add column claimed_at timestamptz null,
     add column sent_at timestamptz null,
     add column last_error text null,
     add column message_id text null`,
  `update hostplane.outbox set status = 'expired'`,
  `create index outbox_due_idx on hostplane.outbox (next_attempt_at, id) where status = 'queued'`,
  `create index outbox_sending_idx on hostplane.outbox (claimed_at) where status = 'sending'`,
  `create function hostplane.outbox_reset_delivery() returns trigger
     language plpgsql set search_path = pg_catalog as $$
   begin
     new.status := 'queued';
     new.attempts := 0;
     new.next_attempt_at := now();
     new.claimed_at := null;
     new.sent_at := null;
     new.last_error := null;
     new.message_id := null;
     return new;
   end $$`,
  `create trigger outbox_reset_delivery before insert on hostplane.outbox
     for each row execute function hostplane.outbox_reset_delivery()`,
];

const DOWN = [
  `drop trigger if exists outbox_reset_delivery on hostplane.outbox`,
  `drop function if exists hostplane.outbox_reset_delivery()`,
  `drop index if exists hostplane.outbox_sending_idx`,
  `drop index if exists hostplane.outbox_due_idx`,
  `alter table hostplane.outbox
     drop column message_id, drop column last_error, drop column sent_at, drop column claimed_at,
     drop column next_attempt_at, drop column attempts, drop column status, drop column attachments,
     drop column reply_to, drop column from_name`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of DOWN) await knex.raw(statement);
}
