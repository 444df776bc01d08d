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
  SiteTree,
  WebServerDriver,
} from '@hostplane/sdk';
import { BackupsErrors } from '../errors.js';
import { progressMessage, progressOf, type BackupProgress } from '../restic/progress.js';
import type { Restic } from '../restic/restic.js';
import type { BackupRow, BackupStore } from '../store.js';
import type { Repositories } from './repository.js';
import { chownTree, includePattern, ownerMap, putInPlace } from './site-paths.js';
import type { Slots } from './slots.js';

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
    const { store, restic, events, clock } = this.deps;
    const row = await store.byId(backupId);
    // `running` here means an attempt died with its process (the job is retried); anything
    // else is final, or cancelled.
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
    const release = await this.deferred(BACKUP_JOB, backupJobKey(backupId), { backupId });
    if (!release) return;
    try {
      const repo = await this.deps.repos.local();
      // A run killed with -9 leaves its lock; restic removes only locks whose process is gone.
      await restic().unlockStale(repo);
      const adopted = await restic().snapshots(repo, [`backup:${row.id}`]);
      if (adopted[0]) {
        await this.succeed(row, adopted[0].id, null);
        return;
      }
      const files = await this.siteTree({ id: row.website_id, name: row.site_name });
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
          file_owners: JSON.stringify({ uid: files.uid, gid: files.gid, userGid: files.userGid }),
        } as never);
      if (!started) return;
      // A cancel (from any host process) is seen at the next progress write and stops restic.
      const abort = new AbortController();
      let writes: Promise<unknown> = Promise.resolve();
      let lastWrite = 0;
      const report = (progress: BackupProgress, force = false) => {
        const now = Date.now();
        if (!force && now - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = now;
        writes = writes
          .then(async () => {
            const now = await store.byId(row.id);
            if (now?.status === 'cancelled') abort.abort();
            else await store.update(row.id, { progress: JSON.stringify(progress) });
          })
          .then(() => job.progress(progress.percent / 100, progressMessage(progress)))
          .catch((err: unknown) => this.deps.logger.warn({ err: messageOf(err), backupId }, 'progress not recorded'));
      };
      const summary = await restic()
        .backup(
          repo,
          files.root,
          // Absolute patterns: restic matches excludes against absolute paths, so a bare `tmp`
          // would also match the `/tmp` a site folder may live under and exclude everything.
          {
            tags: tagsOf(row),
            excludes: files.exclude.map((e) => includePattern(path.join(files.root, e))),
            host: SNAPSHOT_HOST,
          },
          {
            onStart: (pid) => {
              writes = writes.then(() => store.update(row.id, { pid: pid ?? null }));
            },
            onStatus: (status) => report(progressOf(status)),
            signal: abort.signal,
          },
        )
        .finally(() => writes);
      const [snapshot] = await restic().snapshots(repo, [`backup:${row.id}`]);
      if (!snapshot) throw BackupsErrors.restic('backup', `snapshot ${summary.snapshotId} is not listed`);
      const durationMs = clock.now().getTime() - startedAt.getTime();
      await this.succeed(row, snapshot.id, {
        size_bytes: summary.totalBytes,
        added_bytes: summary.dataAdded,
        files: summary.totalFiles,
        duration_ms: Math.max(0, Math.round(durationMs)),
        progress: JSON.stringify({
          percent: 100,
          bytesDone: summary.totalBytes,
          bytesTotal: summary.totalBytes,
          filesDone: summary.totalFiles,
          filesTotal: summary.totalFiles,
          etaSeconds: 0,
        }),
      });
      await job.progress(1, 'done');
      await events.emit('backup.completed', {
        backupId: row.id,
        websiteId: row.website_id,
        ownerId: row.owner_id,
        snapshotId: snapshot.id,
        sizeBytes: summary.totalBytes,
      });
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
      if (last) await this.deps.limits.assert(row.subscription_id, 'backups', -1, { trx });
    });
    if (last) {
      await this.deps.events.emit('backup.failed', { backupId: row.id, websiteId: row.website_id, ownerId: row.owner_id, error });
    }
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
      const site = await store.site(row.website_id);
      if (!site) throw BackupsErrors.websiteNotFound(row.website_id);
      const files = await this.siteTree(site);
      await store.restores().where({ id: restoreId }).update({ status: 'running', error: null });
      await job.progress(0.05, 'restoring from the repository');
      const repo = await this.deps.repos.local();
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
