/**
 * Platform backups (decision 0073): the control plane itself, so a lost server can be rebuilt
 * from the repository. Each is two snapshots made by one durable job:
 *
 * 1. `kind:platform-database`: `pg_dump --format=custom` of the whole Hostplane database,
 *    streamed into `restic backup --stdin` as `/hostplane.pgdump` (nothing on disk);
 * 2. `kind:platform`, made only once the dump is whole: `platform-backup.env` (which dump
 *    belongs to it, the versions, where the secret key is) with the data folder's state files
 *    (`secret.key` when the key comes from that file, the drop-in `plugins/`). Its tag
 *    `database:<snapshot id>` names the dump, so a half dump that a killed host left (restic keeps
 *    whatever `--stdin` read before its input ended) is never the one a restore picks.
 *
 * Admins only: no owner, no package, no count. Keeps the newest `platform.keep`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  Type,
  type AuditService,
  type ClockService,
  type EventsService,
  type JobContext,
  type JobsService,
  type Logger,
  type PlatformStateService,
  type Static,
  type DatabaseService,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { BackupsConfig } from '../config.js';
import { BackupsErrors } from '../errors.js';
import type { Restic } from '../restic/restic.js';
import { repositoryFolder, type Repositories } from './repository.js';
import type { RequestInfo } from './backups-service.js';
import { SNAPSHOT_HOST } from './runner.js';
import type { Slots } from './slots.js';

export const PLATFORM_JOB = 'run-platform-backup';
export const PLATFORM_SCHEDULE_JOB = 'schedule-platform-backup';
export const platformJobKey = (id: string) => `backups:platform:${id}`;
/** The dump's file name inside its snapshot. */
export const PLATFORM_DUMP_FILE = 'hostplane.pgdump';
/** The manifest at the root of the files snapshot (sourceable by a shell). */
export const PLATFORM_MANIFEST = 'platform-backup.env';
const SLOT_RETRY_MS = 1500;

export type PlatformBackupStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'forgotten';

export interface PlatformBackupRow {
  id: string;
  trigger: 'manual' | 'schedule';
  status: PlatformBackupStatus;
  database_snapshot_id: string | null;
  files_snapshot_id: string | null;
  server_version: string | null;
  pg_dump_version: string | null;
  state_files: string[] | null;
  key_origin: 'file' | 'env' | 'ephemeral' | null;
  size_bytes: string | null;
  added_bytes: string | null;
  duration_ms: number | null;
  error: string | null;
  attempts: number;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const PlatformBackupSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  status: Type.String({ enum: ['queued', 'running', 'succeeded', 'failed', 'forgotten'] }),
  databaseSnapshotId: Nullable(Type.String({ description: 'The snapshot of the database dump (/hostplane.pgdump)' })),
  filesSnapshotId: Nullable(Type.String({ description: 'The snapshot of platform-backup.env and the state files' })),
  serverVersion: Nullable(Type.String({ description: 'PostgreSQL server version dumped' })),
  pgDumpVersion: Nullable(Type.String()),
  stateFiles: Type.Array(Type.String(), { description: 'Files of the data folder kept beside the dump' }),
  keyOrigin: Nullable(
    Type.String({
      enum: ['file', 'env', 'ephemeral'],
      description: 'file: the secret key is in the backup; env: it is not (HOSTPLANE_SECRET_KEY), keep it yourself',
    }),
  ),
  sizeBytes: Nullable(Type.Integer({ description: 'Bytes of the dump and the state files' })),
  addedBytes: Nullable(Type.Integer()),
  durationMs: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type PlatformBackupView = Static<typeof PlatformBackupSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const int = (v: string | number | null): number | null => (v === null ? null : Number(v));

export function platformBackupView(row: PlatformBackupRow): PlatformBackupView {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    databaseSnapshotId: row.database_snapshot_id,
    filesSnapshotId: row.files_snapshot_id,
    serverVersion: row.server_version,
    pgDumpVersion: row.pg_dump_version,
    stateFiles: row.state_files ?? [],
    keyOrigin: row.key_origin,
    sizeBytes: int(row.size_bytes),
    addedBytes: int(row.added_bytes),
    durationMs: row.duration_ms,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

/** A value for a single-quoted shell assignment (the manifest is sourced by the restore drill). */
const shellValue = (v: string): string => `'${v.replace(/'/g, '')}'`;

export interface PlatformBackupsDeps {
  db: DatabaseService;
  jobs: JobsService;
  audit: AuditService;
  events: EventsService;
  clock: ClockService;
  logger: Logger;
  repos: Repositories;
  restic: () => Restic;
  slots: Slots;
  state: () => PlatformStateService;
  config: () => BackupsConfig;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function permanent(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export class PlatformBackups {
  constructor(private readonly deps: PlatformBackupsDeps) {}

  table(trx?: Knex.Transaction) {
    return this.deps.db.table<PlatformBackupRow>('platform_backups', trx);
  }

  async byId(id: string): Promise<PlatformBackupRow | undefined> {
    return (await this.table().where({ id }).first()) as PlatformBackupRow | undefined;
  }

  async one(id: string): Promise<PlatformBackupRow> {
    const row = await this.byId(id);
    if (!row) throw BackupsErrors.notFound(id);
    return row;
  }

  async list(page: number, limit: number): Promise<{ rows: PlatformBackupRow[]; total: number }> {
    const [count] = (await this.table().count({ count: '*' })) as Array<{ count: string }>;
    const rows = (await this.table()
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
      .limit(limit)
      .offset((page - 1) * limit)) as PlatformBackupRow[];
    return { rows, total: Number(count?.count ?? 0) };
  }

  /** Queue a platform backup: the row, its job and its audit entry in one transaction. */
  async create(trigger: 'manual' | 'schedule', info: RequestInfo): Promise<PlatformBackupRow> {
    const { db, jobs, audit } = this.deps;
    return db.transaction(async (trx) => {
      const [row] = (await this.table(trx).insert({ trigger, created_by: info.actorId }).returning('*')) as PlatformBackupRow[];
      await jobs.enqueue(PLATFORM_JOB, { platformBackupId: row!.id }, { trx, jobKey: platformJobKey(row!.id) });
      await audit.record(
        {
          action: 'backups.platform.created',
          actorId: info.actorId,
          target: { type: 'platform-backup', id: row!.id },
          details: { trigger },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return row!;
    });
  }

  /** The job: dump, then state files; safe to run again after any crash (see the file's comment). */
  async run(id: string, job: JobContext): Promise<void> {
    const { restic, clock, events, state } = this.deps;
    const row = await this.byId(id);
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
    const release = this.deps.slots.tryTake();
    if (!release) {
      await this.deps.jobs.enqueue(
        PLATFORM_JOB,
        { platformBackupId: id },
        { jobKey: platformJobKey(id), runAt: new Date(Date.now() + SLOT_RETRY_MS) },
      );
      return;
    }
    const staging = path.join(path.dirname(repositoryFolder(this.deps.config())), `platform-staging-${id}`);
    try {
      // A pg_dump too old for the server is a clear refusal before anything is written.
      const tool = await state().dumpTool();
      const repo = await this.deps.repos.local();
      await restic().unlockStale(repo);
      // Nothing of a row counts until it succeeded: what a killed attempt left (a half dump) goes.
      const stray = await restic().snapshots(repo, [`platform:${id}`]);
      await restic().forget(
        repo,
        stray.map((s) => s.id),
      );
      const startedAt = clock.now();
      const started = await this.table()
        .where({ id })
        .whereIn('status', ['queued', 'running'])
        .update({
          status: 'running',
          started_at: startedAt,
          attempts: row.attempts + 1,
          error: null,
          server_version: tool.serverVersion,
          pg_dump_version: tool.clientVersion,
        } as never);
      if (!started) return;
      await job.progress(0.05, 'dumping the platform database');
      const dump = await restic().backupStdin(
        repo,
        { filename: PLATFORM_DUMP_FILE, tags: ['kind:platform-database', `platform:${id}`], host: SNAPSHOT_HOST },
        // Its own rows stay out: a restored platform must not find this backup "running".
        (stdin) => state().dumpDatabase(stdin, { excludeTableData: [`${this.deps.db.schema}.platform_backups`] }),
      );
      const [dbSnapshot] = await restic().snapshots(repo, [`platform:${id}`, 'kind:platform-database']);
      if (!dbSnapshot) throw BackupsErrors.restic('backup', `snapshot ${dump.snapshotId} is not listed`);
      await job.progress(0.8, 'keeping the state files');
      await fs.rm(staging, { recursive: true, force: true });
      await fs.mkdir(staging, { recursive: true, mode: 0o700 });
      const files = await state().copyState(staging);
      await fs.writeFile(
        path.join(staging, PLATFORM_MANIFEST),
        [
          '# Hostplane platform backup. Restore: docs/operations.md, "Rebuilding a lost server".',
          `HOSTPLANE_PLATFORM_BACKUP=${shellValue(id)}`,
          `DATABASE_SNAPSHOT=${shellValue(dbSnapshot.id)}`,
          `DATABASE_FILE=${shellValue(`/${PLATFORM_DUMP_FILE}`)}`,
          `POSTGRESQL_SERVER=${shellValue(tool.serverVersion)}`,
          `PG_DUMP_VERSION=${shellValue(tool.clientVersion)}`,
          `SECRET_KEY=${shellValue(files.keyOrigin)}`,
          `CREATED_AT=${shellValue(startedAt.toISOString())}`,
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const kept = await restic().backup(
        repo,
        staging,
        {
          tags: ['kind:platform', `platform:${id}`, `database:${dbSnapshot.id}`],
          excludes: [],
          host: SNAPSHOT_HOST,
          time: startedAt,
        },
        {},
      );
      const [filesSnapshot] = await restic().snapshots(repo, [`platform:${id}`, 'kind:platform']);
      if (!filesSnapshot) throw BackupsErrors.restic('backup', `snapshot ${kept.snapshotId} is not listed`);
      const sizeBytes = dump.totalBytes + kept.totalBytes;
      await this.table()
        .where({ id })
        .update({
          status: 'succeeded',
          database_snapshot_id: dbSnapshot.id,
          files_snapshot_id: filesSnapshot.id,
          state_files: files.names,
          key_origin: files.keyOrigin,
          size_bytes: sizeBytes,
          added_bytes: dump.dataAdded + kept.dataAdded,
          duration_ms: Math.max(0, Math.round(clock.now().getTime() - startedAt.getTime())),
          finished_at: clock.now(),
          error: null,
        } as never);
      await job.progress(1, 'done');
      await events.emit('backup.platform.completed', {
        platformBackupId: id,
        databaseSnapshotId: dbSnapshot.id,
        filesSnapshotId: filesSnapshot.id,
        sizeBytes,
      });
      await this.keepNewest().catch((err: unknown) =>
        this.deps.logger.warn({ err: messageOf(err) }, 'old platform backups not forgotten'),
      );
    } catch (err) {
      const last = job.attempt >= job.maxAttempts || permanent(err);
      const error = messageOf(err);
      await this.table()
        .where({ id })
        .whereIn('status', ['queued', 'running'])
        .update((last ? { status: 'failed', error, finished_at: clock.now() } : { status: 'queued', error }) as never);
      if (last) await events.emit('backup.platform.failed', { platformBackupId: id, error });
      if (!permanent(err)) throw err;
      this.deps.logger.warn({ platformBackupId: id, err: error }, 'platform backup refused');
    } finally {
      await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
      release();
    }
  }

  /**
   * Mark the succeeded platform backups past the newest `platform.keep` forgotten; the next
   * retention run forgets their snapshots and prunes (maintenance.ts), as it does for sites.
   */
  async keepNewest(): Promise<number> {
    const old = (await this.table()
      .where({ status: 'succeeded' })
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
      .offset(this.deps.config().platform.keep)
      .select('id')) as Array<{ id: string }>;
    if (old.length === 0) return 0;
    await this.table()
      .whereIn(
        'id',
        old.map((r) => r.id),
      )
      .update({ status: 'forgotten' } as never);
    return old.length;
  }
}
