/**
 * The checks themselves: claim the due ones (each host takes its own with SKIP LOCKED, so two
 * hosts never check one address twice in a tick), fetch them with bounded concurrency, and
 * record each result in one transaction with what it changes: the daily figures, the state, an
 * incident opened or closed, the owner's mail and the event (both only if it commits).
 */
import type { ClockService, DatabaseService, EventsService, Logger, MailerService, UsersService } from '@hostplane/sdk';
import type { UptimeConfig } from '../config.js';
import { siteDownMail, siteUpMail } from '../mails.js';
import { urlOf, type CheckRow, type CheckState } from '../store.js';
import { probe, type ProbeResult } from './probe.js';

export interface CheckerDeps {
  db: DatabaseService;
  events: EventsService;
  mailer: MailerService;
  users: UsersService;
  clock: ClockService;
  logger: Logger;
  config: () => UptimeConfig;
}

/** Checks claimed per round of a dispatch. */
const BATCH = 200;

export class Checker {
  constructor(private readonly d: CheckerDeps) {}

  /** Check every due address (of live websites); returns how many were checked. */
  async dispatch(): Promise<number> {
    let checked = 0;
    for (;;) {
      const due = await this.claim(BATCH);
      if (due.length === 0) return checked;
      await this.runAll(due);
      checked += due.length;
      if (due.length < BATCH) return checked;
    }
  }

  /** Check one address now, whatever its schedule; returns the check after it. */
  async checkNow(row: CheckRow): Promise<CheckRow | undefined> {
    const result = await this.fetch(row);
    return this.record(row.id, result);
  }

  /**
   * The due checks, each given its next time. That time is counted from the minute of this
   * claim, not its second: a dispatch runs a moment after its tick, and a next time of 12:01:05
   * from a claim at 12:00:05 would not be due at the 12:01:00 tick, skipping a minute.
   */
  private async claim(limit: number): Promise<CheckRow[]> {
    const now = this.d.clock.now();
    const { rows } = (await this.d.db.knex.raw(
      `update plugin_uptime.checks c
          set next_check_at = date_trunc('minute', ?::timestamptz) + make_interval(mins => c.interval_minutes)
        where c.id in (
          select k.id from plugin_uptime.checks k
            join plugin_websites.websites w on w.id = k.website_id
           where k.enabled and k.next_check_at <= ? and w.desired = 'active' and w.status = 'active'
           order by k.next_check_at
           limit ?
           for update of k skip locked)
      returning c.*`,
      [now, now, limit],
    )) as { rows: CheckRow[] };
    return rows;
  }

  private async runAll(rows: CheckRow[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          await this.record(row.id, await this.fetch(row));
        } catch (err) {
          // One check's bookkeeping failing (its website deleted meanwhile) must not stop the others.
          this.d.logger.warn({ err, checkId: row.id }, 'uptime check not recorded');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.d.config().concurrency, rows.length) }, worker));
  }

  private fetch(row: CheckRow): Promise<ProbeResult> {
    const config = this.d.config();
    return probe({
      protocol: row.protocol,
      host: row.domain,
      path: row.path,
      keyword: row.keyword,
      timeoutMs: config.timeoutSeconds * 1000,
      connectTo: connectToOf(config.connectTo),
      allowPrivateAddresses: config.allowPrivateAddresses,
    });
  }

  /** Record one result; returns the check as it is now (undefined when it was deleted meanwhile). */
  async record(checkId: string, result: ProbeResult): Promise<CheckRow | undefined> {
    const at = this.d.clock.now();
    const { db, events, mailer, users } = this.d;
    return db.transaction(async (trx) => {
      const row = (await db.table<CheckRow>('checks', trx).where('id', checkId).forUpdate().first()) as CheckRow | undefined;
      if (!row) return undefined;
      await trx.raw(
        `insert into plugin_uptime.daily (check_id, day, checks, failures, response_ms_total)
         values (?, (?::timestamptz at time zone 'UTC')::date, 1, ?, ?)
         on conflict (check_id, day) do update
           set checks = daily.checks + 1, failures = daily.failures + excluded.failures,
               response_ms_total = daily.response_ms_total + excluded.response_ms_total`,
        [row.id, at, result.up ? 0 : 1, result.responseMs],
      );
      const failures = result.up ? 0 : row.failures + 1;
      // The outage began with the first of the failures in a row, not with the one that tipped it.
      const failingSince = result.up ? null : row.failures === 0 ? at : (row.failing_since ?? at);
      let state: CheckState = row.state;
      if (result.up) state = 'up';
      else if (failures >= this.d.config().failuresBeforeDown) state = 'down';
      const [updated] = (await db
        .table<CheckRow>('checks', trx)
        .where('id', row.id)
        .update({
          state,
          state_since: state === row.state ? row.state_since : at,
          failures,
          failing_since: failingSince,
          last_checked_at: at,
          last_status_code: result.statusCode,
          last_response_ms: result.responseMs,
          last_error: result.error ? result.error.slice(0, 500) : null,
        })
        .returning('*')) as CheckRow[];
      const url = urlOf(row);
      const owner = state !== row.state && (state === 'down' || row.state === 'down') ? await users.get(row.owner_id) : undefined;
      if (state === 'down' && row.state !== 'down') {
        const reason = (result.error ?? 'down').slice(0, 500);
        const since = failingSince ?? at;
        await db.table('incidents', trx).insert({ check_id: row.id, started_at: since, reason });
        if (owner)
          await mailer.sendTemplate(
            siteDownMail,
            { to: owner.email, recipientId: owner.id, variables: { url, reason, since: since.toISOString() } },
            { trx },
          );
        await events.emit(
          'uptime.check.down',
          { checkId: row.id, websiteId: row.website_id, ownerId: row.owner_id, url, reason },
          { trx },
        );
        this.d.logger.info({ checkId: row.id, url, reason }, 'website down');
      } else if (state === 'up' && row.state === 'down') {
        const [incident] = (await db
          .table('incidents', trx)
          .where({ check_id: row.id })
          .whereNull('ended_at')
          .update({ ended_at: at })
          .returning('started_at')) as Array<{ started_at: Date }>;
        const downSeconds = Math.max(
          0,
          Math.round((at.getTime() - (incident?.started_at ?? row.state_since ?? at).getTime()) / 1000),
        );
        if (owner)
          await mailer.sendTemplate(
            siteUpMail,
            { to: owner.email, recipientId: owner.id, variables: { url, downSeconds } },
            { trx },
          );
        await events.emit(
          'uptime.check.up',
          { checkId: row.id, websiteId: row.website_id, ownerId: row.owner_id, url, downSeconds },
          { trx },
        );
        this.d.logger.info({ checkId: row.id, url, downSeconds }, 'website up again');
      }
      return updated;
    });
  }

  /** Daily figures and closed incidents older than `historyDays`. */
  async prune(): Promise<number> {
    const { db, clock } = this.d;
    const cutoff = new Date(clock.now().getTime() - this.d.config().historyDays * 86_400_000);
    const days = await db.table('daily').where('day', '<', cutoff).delete();
    const incidents = await db.table('incidents').whereNotNull('ended_at').where('ended_at', '<', cutoff).delete();
    return days + incidents;
  }

  /** Checks of websites that no longer exist (their figures and incidents go with them). */
  async forgetDeletedSites(): Promise<number> {
    const { rows } = (await this.d.db.knex.raw(
      `delete from plugin_uptime.checks c
        where not exists (select 1 from plugin_websites.websites w where w.id = c.website_id and w.desired <> 'deleted')
      returning c.id`,
    )) as { rows: unknown[] };
    return rows.length;
  }
}

/** `host:port` (or `[v6]:port`) of the `connectTo` setting; null when empty. */
export function connectToOf(setting: string): { host: string; port: number } | null {
  if (!setting) return null;
  const at = setting.lastIndexOf(':');
  const host = setting.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(setting.slice(at + 1)) };
}
