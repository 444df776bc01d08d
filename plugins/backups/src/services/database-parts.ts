/**
 * A site's databases in its backup: each one's dump streamed from its server's driver
 * (`DatabaseServer.dump`) straight into `restic backup --stdin`, as a snapshot of its own tagged
 * like the files (`site:`, `customer:`, `backup:`) plus `kind:database` and `database:<id>`.
 * No dump ever touches the disk.
 *
 * A database snapshot counts only once its id is recorded in `backup_databases`: when the host
 * dies while it feeds restic, restic reads the end of its input and keeps a snapshot of half a
 * dump. Nothing records that one, and the next attempt forgets it before it dumps again.
 *
 * A restore streams `restic dump` of that snapshot into the driver's `restoreDump`.
 */
import type { DatabaseServer, Logger, SiteDatabaseRef, SiteDatabases } from '@hostplane/sdk';
import { BackupsErrors } from '../errors.js';
import type { Repository, Restic } from '../restic/restic.js';
import type { BackupDatabaseRow, BackupRow, BackupStore } from '../store.js';

export interface DatabasePartsDeps {
  store: BackupStore;
  restic: () => Restic;
  /** Providers of `site-databases` (the databases plugin), looked up at each use. */
  siteDatabases: () => SiteDatabases[];
  /** Enabled `database-server` drivers. */
  servers: () => DatabaseServer[];
  logger: Logger;
}

/** The file a database's dump is in, at the root of its snapshot. */
export const dumpFileOf = (part: Pick<BackupDatabaseRow, 'engine' | 'name'>): string => `${part.engine}-${part.name}.sql`;

/** Tags of a database's snapshot. */
export function databaseTagsOf(row: Pick<BackupRow, 'id' | 'website_id' | 'owner_id'>, databaseId: string): string[] {
  return [`site:${row.website_id}`, `customer:${row.owner_id}`, 'kind:database', `database:${databaseId}`, `backup:${row.id}`];
}

export class DatabaseParts {
  constructor(private readonly deps: DatabasePartsDeps) {}

  private provider(): SiteDatabases | undefined {
    return this.deps.siteDatabases().find((p) => typeof p.listDatabases === 'function');
  }

  /** Databases as the databases plugin has them now (none when it is not enabled). */
  async list(filter: { siteId?: string; ownerId?: string }): Promise<SiteDatabaseRef[]> {
    const provider = this.provider();
    return provider?.listDatabases ? provider.listDatabases(filter) : [];
  }

  /**
   * The backup's database rows, in line with the site's databases now: one added for each new
   * database, a pending one dropped when its database is gone; dumped ones stay as they are.
   */
  async sync(backup: BackupRow): Promise<BackupDatabaseRow[]> {
    const { store } = this.deps;
    const current = await this.list({ siteId: backup.website_id });
    const gone = store.databaseParts().where({ backup_id: backup.id, status: 'pending' });
    if (current.length)
      gone.whereNotIn(
        'database_id',
        current.map((d) => d.databaseId),
      );
    await gone.delete();
    if (current.length) {
      await store
        .databaseParts()
        .insert(
          current.map((d) => ({
            backup_id: backup.id,
            database_id: d.databaseId,
            name: d.name,
            server: d.server,
            engine: d.engine,
          })),
        )
        .onConflict(['backup_id', 'database_id'])
        .ignore();
    }
    return (await store.databaseParts().where({ backup_id: backup.id }).orderBy('name')) as BackupDatabaseRow[];
  }

  /** Forget database snapshots of this backup that no row records (a dump a crash cut short). */
  async forgetStray(repo: Repository, backup: BackupRow, parts: BackupDatabaseRow[]): Promise<number> {
    const recorded = new Set(parts.map((p) => p.snapshot_id).filter(Boolean));
    const snapshots = await this.deps.restic().snapshots(repo, [`backup:${backup.id}`, 'kind:database']);
    const stray = snapshots.filter((s) => !recorded.has(s.id)).map((s) => s.id);
    if (stray.length) {
      this.deps.logger.warn({ backupId: backup.id, snapshots: stray }, 'forgetting database snapshots no run recorded');
      await this.deps.restic().forget(repo, stray);
    }
    return stray.length;
  }

  /** Dump one database into its own snapshot and record it; a server that cannot dump marks it skipped. */
  async dump(
    repo: Repository,
    backup: BackupRow,
    part: BackupDatabaseRow,
    hooks: { signal?: AbortSignal; onStart?: (pid: number | undefined) => void },
  ): Promise<void> {
    const { store } = this.deps;
    const server = this.deps.servers().find((s) => s.id === part.server);
    // Disabled for now: another attempt may find it back.
    if (!server) throw BackupsErrors.databaseServerMissing(part.server, part.name);
    if (typeof server.dump !== 'function' || !server.dumpFormat) {
      await store
        .databaseParts()
        .where({ id: part.id })
        .update({ status: 'skipped', error: `the ${server.id} server cannot dump databases` });
      return;
    }
    const format = server.dumpFormat;
    const tags = databaseTagsOf(backup, part.database_id);
    const summary = await this.deps
      .restic()
      .backupStdin(
        repo,
        { filename: dumpFileOf(part), tags, host: 'hostplane' },
        (stdin) => server.dump!(part.name, stdin, hooks.signal ? { signal: hooks.signal } : {}),
        hooks,
      );
    const [snapshot] = (await this.deps.restic().snapshots(repo, [`backup:${backup.id}`, `database:${part.database_id}`])).filter(
      (s) => s.id.startsWith(summary.snapshotId),
    );
    if (!snapshot) throw BackupsErrors.restic('backup', `snapshot ${summary.snapshotId} is not listed`);
    await store
      .databaseParts()
      .where({ id: part.id })
      .update({
        status: 'succeeded',
        snapshot_id: snapshot.id,
        format,
        size_bytes: String(summary.totalBytes),
        added_bytes: String(summary.dataAdded),
        error: null,
      });
  }

  /**
   * The database part a restore of `databaseId` uses, checked now so a bad request is a 4xx:
   * dumped in this backup, the database still there (under its current name), and a server
   * that reads the dump's format.
   */
  async restorable(backup: BackupRow, databaseId: string): Promise<{ part: BackupDatabaseRow; name: string }> {
    const part = (await this.deps.store.databaseParts().where({ backup_id: backup.id, database_id: databaseId }).first()) as
      BackupDatabaseRow | undefined;
    if (!part || part.status !== 'succeeded' || !part.snapshot_id) throw BackupsErrors.databaseNotInBackup(databaseId);
    const now = (await this.list({ ownerId: backup.owner_id })).find((d) => d.databaseId === databaseId);
    if (!now) throw BackupsErrors.databaseGone(part.name);
    const server = this.deps.servers().find((s) => s.id === now.server);
    if (!server || typeof server.restoreDump !== 'function' || server.dumpFormat !== part.format) {
      throw BackupsErrors.databaseNotRestorable(part.name, now.server);
    }
    return { part, name: now.name };
  }

  /** Load the part's dump into the database (emptied first by the driver). */
  async restore(repo: Repository, backup: BackupRow, databaseId: string): Promise<void> {
    const { part, name } = await this.restorable(backup, databaseId);
    const server = this.deps.servers().find((s) => s.id === part.server)!;
    await this.deps
      .restic()
      .dumpFile(repo, part.snapshot_id!, `/${dumpFileOf(part)}`, (stream) => server.restoreDump!(name, stream));
  }
}
