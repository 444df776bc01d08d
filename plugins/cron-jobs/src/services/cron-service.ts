/**
 * Changes to cron jobs. A create reserves one of the package's `cron_jobs` in its transaction
 * (the limits service locks the subscription's usage row, so parallel creates take turns and
 * cannot pass the limit); a delete gives it back in its own.
 */
import type { Actor, AuditService, JobsService, LimitsService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { CronJobsConfig } from '../config.js';
import { CronErrors } from '../errors.js';
import { nextRun, parseSchedule, ScheduleError } from '../schedule.js';
import type { CronJobRow, CronStore } from '../store.js';

export const RUN_JOB = 'run-cron-job';

export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface CreateInput {
  schedule: string;
  command: string;
  timeoutSeconds?: number;
  enabled?: boolean;
}

export type UpdateInput = Partial<CreateInput>;

export interface CronServiceDeps {
  store: CronStore;
  limits: LimitsService;
  audit: AuditService;
  jobs: JobsService;
  config: () => CronJobsConfig;
  now: () => Date;
}

export class CronService {
  constructor(private readonly d: CronServiceDeps) {}

  /** The schedule's next run after now; 400 naming the field when it is not a schedule. */
  private nextOf(schedule: string): Date {
    try {
      const next = nextRun(parseSchedule(schedule), this.d.now());
      if (!next) throw new ScheduleError('it never runs');
      return next;
    } catch (err) {
      if (err instanceof ScheduleError) throw CronErrors.invalidSchedule(err.message);
      throw err;
    }
  }

  private checkCommand(command: string): void {
    // eslint-disable-next-line no-control-regex -- one command line; tabs are fine
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(command))
      throw CronErrors.invalidCommand('one line, without control characters');
    if (command.trim() === '') throw CronErrors.invalidCommand('it is empty');
  }

  private timeoutOf(seconds: number | undefined): number {
    const c = this.d.config();
    const value = seconds ?? c.defaultTimeoutSeconds;
    if (value > c.maxTimeoutSeconds) throw CronErrors.timeoutTooLong(c.maxTimeoutSeconds);
    return value;
  }

  private async audit(
    info: RequestInfo,
    action: string,
    row: CronJobRow,
    details: Record<string, unknown>,
    trx: Knex.Transaction,
  ) {
    await this.d.audit.record(
      {
        action,
        actorId: info.actorId,
        target: { type: 'website', id: row.website_id },
        details: { cronJobId: row.id, ...details },
        ip: info.ip ?? null,
        requestId: info.requestId ?? null,
      },
      { trx },
    );
  }

  async create(actor: Actor, websiteId: string, input: CreateInput, info: RequestInfo): Promise<CronJobRow> {
    const { store, limits } = this.d;
    await store.siteFor(actor, websiteId);
    const next = this.nextOf(input.schedule);
    this.checkCommand(input.command);
    const timeout = this.timeoutOf(input.timeoutSeconds);
    return store.db.transaction(async (trx) => {
      const site = await store.siteFor(actor, websiteId, trx);
      // Locks the subscription's usage row until commit: parallel creates queue here.
      await limits.assert(site.subscription_id, 'cron_jobs', 1, { trx });
      const [row] = (await store
        .jobs(trx)
        .insert({
          website_id: site.id,
          owner_id: site.owner_id,
          subscription_id: site.subscription_id,
          schedule: input.schedule.trim(),
          command: input.command,
          timeout_seconds: timeout,
          enabled: input.enabled ?? true,
          next_run_at: next,
          created_by: info.actorId,
        })
        .returning('*')) as CronJobRow[];
      await this.audit(info, 'cron.job.created', row!, { schedule: row!.schedule }, trx);
      return row!;
    });
  }

  async update(actor: Actor, websiteId: string, id: string, input: UpdateInput, info: RequestInfo): Promise<CronJobRow> {
    const { store } = this.d;
    await store.siteFor(actor, websiteId);
    const next = input.schedule !== undefined ? this.nextOf(input.schedule) : undefined;
    if (input.command !== undefined) this.checkCommand(input.command);
    const timeout = input.timeoutSeconds !== undefined ? this.timeoutOf(input.timeoutSeconds) : undefined;
    return store.db.transaction(async (trx) => {
      const site = await store.siteFor(actor, websiteId, trx);
      const current = await store.one(site.id, id, trx, true);
      const patch: Partial<Record<keyof CronJobRow, unknown>> = { updated_at: trx.fn.now() };
      if (input.schedule !== undefined) patch.schedule = input.schedule.trim();
      if (input.command !== undefined) patch.command = input.command;
      if (timeout !== undefined) patch.timeout_seconds = timeout;
      if (input.enabled !== undefined) patch.enabled = input.enabled;
      // Re-enabled or rescheduled: the next run counts from now, not from a stale time.
      if (next !== undefined || (input.enabled === true && !current.enabled))
        patch.next_run_at = next ?? this.nextOf(current.schedule);
      const [row] = (await store
        .jobs(trx)
        .where({ id: current.id })
        .update(patch as never)
        .returning('*')) as CronJobRow[];
      await this.audit(info, 'cron.job.updated', row!, { fields: Object.keys(input) }, trx);
      return row!;
    });
  }

  async remove(actor: Actor, websiteId: string, id: string, info: RequestInfo): Promise<void> {
    const { store, limits } = this.d;
    await store.db.transaction(async (trx) => {
      const site = await store.siteFor(actor, websiteId, trx);
      const current = await store.one(site.id, id, trx, true);
      await store.jobs(trx).where({ id: current.id }).delete();
      await limits.assert(current.subscription_id, 'cron_jobs', -1, { trx });
      await this.audit(info, 'cron.job.deleted', current, {}, trx);
    });
  }

  /** Run now (a durable job), whatever the schedule says; 409 while the website is suspended. */
  async runNow(actor: Actor, websiteId: string, id: string, info: RequestInfo): Promise<CronJobRow> {
    const { store, jobs } = this.d;
    return store.db.transaction(async (trx) => {
      const site = await store.siteFor(actor, websiteId, trx);
      if (site.desired !== 'active') throw CronErrors.siteNotActive();
      const current = await store.one(site.id, id, trx, true);
      await jobs.enqueue(RUN_JOB, { cronJobId: current.id, manual: true }, { trx, jobKey: `cron:${current.id}:manual` });
      await this.audit(info, 'cron.job.run-requested', current, {}, trx);
      return current;
    });
  }

  /** Jobs of websites that are gone: deleted, their counts given back. */
  async forgetDeletedSites(): Promise<number> {
    const { store, limits } = this.d;
    const gone = (await store
      .jobs()
      .whereNotExists(
        store.db.knex
          .from('plugin_websites.websites as w')
          .whereRaw(`w.id = ${store.db.schema}.cron_jobs.website_id`)
          .whereNot('w.desired', 'deleted'),
      )
      .select('id', 'subscription_id')) as Array<Pick<CronJobRow, 'id' | 'subscription_id'>>;
    for (const row of gone) {
      await store.db.transaction(async (trx) => {
        const deleted = await store.jobs(trx).where({ id: row.id }).delete();
        if (deleted) await limits.assert(row.subscription_id, 'cron_jobs', -1, { trx });
      });
    }
    return gone.length;
  }
}
