/**
 * The durable jobs that do the work: one backup of a site, one restore. Both are safe to run
 * again after any crash: a backup first adopts a snapshot a killed run finished (found by its
 * `backup:<id>` tag), and restic writes a snapshot only once all its data is stored, so a
 * killed run leaves data but never a partial snapshot; a restore starts from an empty staging
 * folder every time.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  ClockService,
  EventsService,
  JobContext,
  JobsService,
  LimitsService,
  Logger,
  MailerService,
  SiteTree,
  UsersService,
  WebServerDriver,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BackupsErrors } from '../errors.js';
import { progressMessage, progressOf, type BackupProgress } from '../restic/progress.js';
import type { Restic } from '../restic/restic.js';
import type { BackupRow, BackupStore } from '../store.js';
import type { DatabaseParts } from './database-parts.js';
import type { Repositories } from './repository.js';
import { chownTree, includePattern, ownerMap, putInPlace } from './site-paths.js';
import type { Slots } from './slots.js';
import type { StorageMeter } from './storage.js';
import { backupFailedMail } from './mails.js';

export const BACKUP_JOB = 'run-backup';
export const RESTORE_JOB = 'run-restore';
/** The snapshot host name: the platform, not the machine (snapshots survive a move). */
export const SNAPSHOT_HOST = 'hostplane';
/** How long a job that found every slot busy waits before it asks again. */
const SLOT_RETRY_MS = 1500;
/** Progress is written to the row at most this often. */
const PROGRESS_EVERY_MS = 400;

export const backupJobKey = (id: string) => `backups:backup:${id}`;
export const restoreJobKey = (id: string) => `backups:restore:${id}`;

export interface RunnerDeps {
  store: BackupStore;
  repos: Repositories;
  restic: () => Restic;
  slots: Slots;
  jobs: JobsService;
  limits: LimitsService;
  events: EventsService;
  clock: ClockService;
  logger: Logger;
  drivers: () => WebServerDriver[];
  parts: DatabaseParts;
  storage: StorageMeter;
  mailer: MailerService;
  users: UsersService;
}

/** Tags of a backup's snapshot: what it is of, whose, and which row it belongs to. */
export function tagsOf(row: Pick<BackupRow, 'id' | 'website_id' | 'owner_id' | 'kind'>): string[] {
  return [`site:${row.website_id}`, `customer:${row.owner_id}`, `kind:${row.kind}`, `backup:${row.id}`];
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A failure another attempt would only repeat (a refusal, 4xx): the run ends at once. */
function permanent(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export class Runner {
  constructor(private readonly deps: RunnerDeps) {}

  /** The site's files as the web server driver reports them; 409 when they cannot be reached. */
  async siteTree(site: { id: string; name: string }): Promise<SiteTree> {
    const driver = this.deps.drivers().find((d) => typeof d.siteTree === 'function');
    if (!driver?.siteTree) throw BackupsErrors.noFiles('no web server plugin that exposes site files is enabled');
    const files = await driver.siteTree(site);
    if (!files) throw BackupsErrors.noFiles(`the website ${site.name} has no files on the server`);
    return files;
  }

  /** Come back later when every slot is busy; true when the caller should stop now. */
  private async deferred(job: string, key: string, payload: object): Promise<(() => void) | null> {
    const release = this.deps.slots.tryTake();
    if (release) return release;
    await this.deps.jobs.enqueue(job, payload, { jobKey: key, runAt: new Date(Date.now() + SLOT_RETRY_MS) });
    return null;
  }

  async backup(backupId: string, job: JobContext): Promise<void> {
    const { store, restic, events, clock, parts } = this.deps;
    const row = await store.byId(backupId);
    // `running` here means an attempt died with its process (the job is retried); anything
    // else is final, or cancelled.
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
    const release = await this.deferred(BACKUP_JOB, backupJobKey(backupId), { backupId });
    if (!release) return;
    try {
      const repo = await this.deps.repos.forTarget(row.target_id);
      // A run killed with -9 leaves its lock; restic removes only locks whose process is gone.
      await restic().unlockStale(repo);
      const databases = await parts.sync(row);
      await parts.forgetStray(repo, row, databases);
      const pending = databases.filter((d) => d.status === 'pending');
      const [adopted] = await restic().snapshots(repo, [`backup:${row.id}`, 'kind:files']);
      const files = adopted ? null : await this.siteTree({ id: row.website_id, name: row.site_name });
      const startedAt = clock.now();
      // Only a queued row starts: a cancel that came first wins.
      const started = await store
        .backups()
        .where({ id: row.id })
        .whereIn('status', ['queued', 'running'])
        .update({
          status: 'running',
          started_at: startedAt,
          attempts: row.attempts + 1,
          error: null,
          pid: null,
          ...(files ? { file_owners: JSON.stringify({ uid: files.uid, gid: files.gid, userGid: files.userGid }) } : {}),
        } as never);
      if (!started) return;
      // A cancel (from any host process) is seen at the next progress write and stops restic.
      const abort = new AbortController();
      let writes: Promise<unknown> = Promise.resolve();
      let lastWrite = 0;
      // The files take the first 80 % when databases follow them.
      const filesShare = pending.length ? 0.8 : 1;
      const report = (progress: BackupProgress, force = false, message = progressMessage(progress)) => {
        const now = Date.now();
        if (!force && now - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = now;
        writes = writes
          .then(async () => {
            const now = await store.byId(row.id);
            if (now?.status === 'cancelled') abort.abort();
            else await store.update(row.id, { progress: JSON.stringify(progress) });
          })
          .then(() => job.progress(progress.percent / 100, message))
          .catch((err: unknown) => this.deps.logger.warn({ err: messageOf(err), backupId }, 'progress not recorded'));
      };
      const onStart = (pid: number | undefined) => {
        writes = writes.then(() => store.update(row.id, { pid: pid ?? null }));
      };
      let filesSnapshot = adopted?.id ?? null;
      let summary: { totalBytes: number; dataAdded: number; totalFiles: number } | null = null;
      let last: BackupProgress | null = null;
      if (files) {
        const done = await restic()
          .backup(
            repo,
            files.root,
            // Absolute patterns: restic matches excludes against absolute paths, so a bare `tmp`
            // would also match the `/tmp` a site folder may live under and exclude everything.
            {
              tags: tagsOf(row),
              excludes: files.exclude.map((e) => includePattern(path.join(files.root, e))),
              host: SNAPSHOT_HOST,
              // Dated by the platform's clock: retention's days and weeks are the platform's.
              time: clock.now(),
            },
            {
              onStart,
              onStatus: (status) => {
                const progress = progressOf(status);
                last = { ...progress, percent: progress.percent * filesShare };
                report(last);
              },
              signal: abort.signal,
            },
          )
          .finally(() => writes);
        const [snapshot] = await restic().snapshots(repo, [`backup:${row.id}`, 'kind:files']);
        if (!snapshot) throw BackupsErrors.restic('backup', `snapshot ${done.snapshotId} is not listed`);
        filesSnapshot = snapshot.id;
        summary = done;
      }
      for (const [i, part] of pending.entries()) {
        const base: BackupProgress = last ?? {
          percent: 0,
          bytesDone: 0,
          bytesTotal: 0,
          filesDone: 0,
          filesTotal: 0,
          etaSeconds: null,
        };
        const now = { ...base, percent: 100 * (filesShare + ((1 - filesShare) * i) / pending.length) };
        report(now, true, `dumping ${part.name}`);
        // A dump reports no progress of its own: look for a cancel every second meanwhile.
        const poll = setInterval(() => report(now, true, `dumping ${part.name}`), 1000);
        try {
          await parts.dump(repo, row, part, { signal: abort.signal, onStart });
        } finally {
          clearInterval(poll);
          await writes;
        }
      }
      const kept = (await store.databaseParts().where({ backup_id: row.id, status: 'succeeded' })) as Array<{
        size_bytes: string | null;
        added_bytes: string | null;
      }>;
      const dumpBytes = kept.reduce((n, p) => n + Number(p.size_bytes ?? 0), 0);
      const dumpAdded = kept.reduce((n, p) => n + Number(p.added_bytes ?? 0), 0);
      const durationMs = clock.now().getTime() - startedAt.getTime();
      const totalBytes = (summary?.totalBytes ?? 0) + dumpBytes;
      await this.succeed(
        row,
        filesSnapshot!,
        summary || kept.length
          ? {
              ...(summary ? { size_bytes: totalBytes, files: summary.totalFiles } : {}),
              added_bytes: (summary?.dataAdded ?? 0) + dumpAdded,
              duration_ms: Math.max(0, Math.round(durationMs)),
              progress: JSON.stringify({
                percent: 100,
                bytesDone: totalBytes,
                bytesTotal: totalBytes,
                filesDone: summary?.totalFiles ?? 0,
                filesTotal: summary?.totalFiles ?? 0,
                etaSeconds: 0,
              }),
            }
          : null,
      );
      await job.progress(1, 'done');
      await events.emit('backup.completed', {
        backupId: row.id,
        websiteId: row.website_id,
        ownerId: row.owner_id,
        snapshotId: filesSnapshot!,
        sizeBytes: totalBytes,
      });
      // The package's backup storage, with this snapshot (a failure only logs: never fails the backup).
      await this.deps.storage.measureQuietly(row.subscription_id);
    } catch (err) {
      if ((await store.byId(row.id))?.status === 'cancelled') {
        await job.progress(1, 'cancelled');
        return;
      }
      await this.backupFailed(row, job, err);
      if (!permanent(err)) throw err;
    } finally {
      release();
    }
  }

  private async succeed(row: BackupRow, snapshotId: string, stats: Record<string, unknown> | null): Promise<void> {
    await this.deps.store.update(row.id, {
      status: 'succeeded',
      snapshot_id: snapshotId,
      finished_at: this.deps.clock.now(),
      pid: null,
      error: null,
      ...(stats ?? {}),
    });
  }

  /** Record the failure; after the last attempt the backup is failed and its reserved slot in the package freed. */
  private async backupFailed(row: BackupRow, job: JobContext, err: unknown): Promise<void> {
    const error = messageOf(err);
    const last = job.attempt >= job.maxAttempts || permanent(err);
    await this.deps.store.db.transaction(async (trx) => {
      const current = await this.deps.store.byId(row.id, trx);
      if (!current || current.status === 'succeeded' || current.status === 'failed' || current.status === 'cancelled') return;
      await this.deps.store.update(
        row.id,
        last
          ? { status: 'failed', error, pid: null, finished_at: this.deps.clock.now() }
          : { status: 'queued', error, pid: null },
        trx,
      );
      if (last) {
        await this.deps.limits.assert(row.subscription_id, 'backups', -1, { trx });
        // With the status change: one mail per backup, and none when a parallel run got there first.
        await this.mailOwner(row, error, trx);
      }
    });
    if (last) {
      await this.deps.events.emit('backup.failed', { backupId: row.id, websiteId: row.website_id, ownerId: row.owner_id, error });
    }
  }

  private async mailOwner(row: BackupRow, error: string, trx: Knex.Transaction): Promise<void> {
    const owner = await this.deps.users.get(row.owner_id);
    if (!owner) return;
    await this.deps.mailer.sendTemplate(
      backupFailedMail,
      {
        to: owner.email,
        recipientId: owner.id,
        variables: { site: row.site_name, trigger: row.trigger, error: error.slice(0, 500) },
      },
      { trx },
    );
  }

  async restore(restoreId: string, job: JobContext): Promise<void> {
    const { store, restic, clock } = this.deps;
    const row = await store.restores().where({ id: restoreId }).first();
    if (!row || row.status === 'succeeded' || row.status === 'failed') return;
    const release = await this.deferred(RESTORE_JOB, restoreJobKey(restoreId), { restoreId });
    if (!release) return;
    let staging: string | null = null;
    try {
      const backup = await store.byId(row.backup_id);
      if (!backup?.snapshot_id || backup.status !== 'succeeded') throw BackupsErrors.snapshotGone();
      if (row.database_id) {
        await store.restores().where({ id: restoreId }).update({ status: 'running', error: null });
        await job.progress(0.05, 'loading the database from the repository');
        const repo = await this.deps.repos.forTarget(backup.target_id);
        // The driver empties the database and loads the whole dump: a retry after a crash
        // simply does it again.
        await this.deps.parts.restore(repo, backup, row.database_id);
        await store.restores().where({ id: restoreId }).update({ status: 'succeeded', finished_at: clock.now(), error: null });
        await job.progress(1, 'done');
        await this.deps.events.emit('backup.restored', {
          restoreId,
          backupId: row.backup_id,
          websiteId: row.website_id,
          path: null,
          databaseId: row.database_id,
        });
        return;
      }
      const site = await store.site(row.website_id);
      if (!site) throw BackupsErrors.websiteNotFound(row.website_id);
      const files = await this.siteTree(site);
      await store.restores().where({ id: restoreId }).update({ status: 'running', error: null });
      await job.progress(0.05, 'restoring from the repository');
      const repo = await this.deps.repos.forTarget(backup.target_id);
      await restic().unlockStale(repo);
      // Beside the site: the same file system, so putting files in place is a rename.
      staging = path.join(path.dirname(files.root), `.hp-restore-${restoreId}`);
      // A run killed half way left these: the snapshot is the truth, so start over.
      await fs.rm(staging, { recursive: true, force: true });
      await fs.rm(`${staging}.old`, { recursive: true, force: true });
      await fs.mkdir(staging, { mode: 0o700 });
      const snapshotPath = row.path ? `/${row.path}` : null;
      await restic().restore(repo, backup.snapshot_id, staging, snapshotPath ? includePattern(snapshotPath) : null);
      if (row.path && !(await fs.lstat(path.join(staging, row.path)).catch(() => null))) {
        throw BackupsErrors.pathNotInSnapshot(row.path);
      }
      await job.progress(0.7, 'setting owners');
      await chownTree(staging, ownerMap(backup.file_owners, files));
      await job.progress(0.85, 'putting files in place');
      await putInPlace({
        root: files.root,
        staging,
        trash: `${staging}.old`,
        snapshotPath,
        excluded: files.exclude,
        uid: files.uid,
        gid: files.gid,
      });
      await store.restores().where({ id: restoreId }).update({ status: 'succeeded', finished_at: clock.now(), error: null });
      await job.progress(1, 'done');
      await this.deps.events.emit('backup.restored', {
        restoreId,
        backupId: row.backup_id,
        websiteId: row.website_id,
        path: row.path,
        databaseId: null,
      });
    } catch (err) {
      const last = job.attempt >= job.maxAttempts || permanent(err);
      await store
        .restores()
        .where({ id: restoreId })
        .update(
          last
            ? { status: 'failed', error: messageOf(err), finished_at: clock.now() }
            : { status: 'queued', error: messageOf(err) },
        );
      if (!permanent(err)) throw err;
      this.deps.logger.warn({ restoreId, err: messageOf(err) }, 'restore refused');
    } finally {
      if (staging) await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
      release();
    }
  }
}
