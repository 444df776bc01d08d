/**
 * The scheduler and the runs. Every minute (a schedule, once per tick across hosts) `dispatch`
 * takes the due jobs with `FOR UPDATE SKIP LOCKED`, moves each one's `next_run_at` on and
 * enqueues a durable run job in the same transaction: a tick is dispatched once, a restart
 * loses nothing (the due times are in the table), and a run missed while no host ran happens
 * once. A run executes the command as the site's user (never root) and records what happened.
 * Runs are attempted once: a command is not repeated behind the customer's back.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Logger, SiteTree, WebServerDriver } from '@hostplane/sdk';
import type { CronJobsConfig } from '../config.js';
import { nextRun, parseSchedule } from '../schedule.js';
import type { CronJobRow, CronStore, RunStatus } from '../store.js';
import { RUN_JOB } from './cron-service.js';
import { runAs, type RunResult } from './exec-as.js';
import type { JobsService } from '@hostplane/sdk';

export const DISPATCH_JOB = 'dispatch-cron-jobs';
/** Site user ids below this are system accounts (root, www-data): a cron job never runs as one. */
const MIN_SITE_UID = 1000;
const BATCH = 500;

export interface RunnerDeps {
  store: CronStore;
  jobs: JobsService;
  drivers: () => WebServerDriver[];
  config: () => CronJobsConfig;
  now: () => Date;
  logger: Logger;
}

export interface RunPayload {
  cronJobId: string;
  manual?: boolean;
}

export class Runner {
  constructor(private readonly d: RunnerDeps) {}

  /** Enqueue a run of every due job; returns how many. */
  async dispatch(): Promise<number> {
    const { store, jobs } = this.d;
    let total = 0;
    for (;;) {
      const n = await store.db.transaction(async (trx) => {
        const now = this.d.now();
        const T = `${store.db.schema}.cron_jobs`;
        // A plain builder: the plugin's table() qualifies every table with its own schema, joins too.
        const due = (await trx
          .from(T)
          .join('plugin_websites.websites as w', 'w.id', `${T}.website_id`)
          .where(`${T}.enabled`, true)
          .where(`${T}.next_run_at`, '<=', now)
          .select(`${T}.*`, 'w.desired as site_state')
          .orderBy(`${T}.next_run_at`)
          .limit(BATCH)
          // FOR UPDATE OF takes the table's name without its schema; websites' rows are only read.
          .forUpdate('cron_jobs')
          .skipLocked()) as Array<CronJobRow & { site_state: string }>;
        for (const row of due) {
          let next: Date | null = null;
          try {
            next = nextRun(parseSchedule(row.schedule), now);
          } catch {
            next = null;
          }
          await store
            .jobs(trx)
            .where({ id: row.id })
            .update({ next_run_at: next } as never);
          // A suspended site's jobs are skipped, not queued up for later.
          if (row.site_state !== 'active') continue;
          await jobs.enqueue(RUN_JOB, { cronJobId: row.id } satisfies RunPayload, {
            trx,
            jobKey: `cron:${row.id}:${row.next_run_at!.toISOString()}`,
          });
        }
        return due.length;
      });
      total += n;
      if (n < BATCH) return total;
    }
  }

  private async treeOf(site: { id: string; name: string }): Promise<SiteTree> {
    const driver = this.d.drivers().find((d) => typeof d.siteTree === 'function');
    if (!driver?.siteTree) throw new Error('no web server plugin that exposes site files is enabled');
    const tree = await driver.siteTree(site);
    if (!tree) throw new Error('the website has no files on this server yet');
    return tree;
  }

  /** Who the command runs as: the site's user when root (refusing system ids), else this process's user. */
  private identity(tree: SiteTree): { uid: number | null; gid: number | null } {
    if (process.getuid?.() !== 0) return { uid: null, gid: null };
    if (tree.uid < MIN_SITE_UID || tree.userGid < MIN_SITE_UID) {
      throw new Error(
        'the web server runs sites without users of their own (siteUsers), and cron jobs never run as root or the web server',
      );
    }
    return { uid: tree.uid, gid: tree.userGid };
  }

  async run(payload: RunPayload): Promise<RunStatus | 'skipped'> {
    const { store, logger } = this.d;
    const config = this.d.config();
    const claimed = await store.db.transaction(async (trx) => {
      const row = (await store.jobs(trx).where({ id: payload.cronJobId }).forUpdate().first()) as CronJobRow | undefined;
      if (!row) return null;
      const site = await store.site(row.website_id, trx);
      if (!site || site.desired !== 'active') return null;
      if (!row.enabled && !payload.manual) return null;
      // No overlap: a run still going (or one whose host died less than its time limit ago) wins.
      const now = this.d.now();
      if (row.running_since && now.getTime() - row.running_since.getTime() < (row.timeout_seconds + 60) * 1000) return null;
      await store
        .jobs(trx)
        .where({ id: row.id })
        .update({ running_since: now, last_run_at: now, last_finished_at: null, last_status: null } as never);
      return { row, site };
    });
    if (!claimed) return 'skipped';
    const { row, site } = claimed;
    let result: RunResult;
    let status: RunStatus;
    try {
      const tree = await this.treeOf(site);
      const who = this.identity(tree);
      await access(config.shell, constants.X_OK);
      result = await runAs({
        shell: config.shell,
        command: row.command,
        cwd: tree.root,
        ...who,
        timeoutMs: row.timeout_seconds * 1000,
        outputLimit: config.outputLimitBytes,
      });
      status = result.status;
    } catch (err) {
      status = 'refused';
      result = { status: 'failed', exitCode: -1, output: `not run: ${(err as Error).message}`, truncated: false, durationMs: 0 };
      logger.warn({ err, cronJobId: row.id }, 'a cron job was not run');
    }
    await store
      .jobs()
      .where({ id: row.id })
      .update({
        running_since: null,
        last_finished_at: this.d.now(),
        last_status: status,
        last_exit_code: status === 'refused' ? null : result.exitCode,
        last_output: result.output,
        last_output_truncated: result.truncated,
        last_duration_ms: result.durationMs,
        runs: store.db.knex.raw('runs + 1'),
      } as never);
    return status;
  }
}
