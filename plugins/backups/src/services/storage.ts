/**
 * The package's storage quota (`backup_storage_mb`): what a subscription's snapshots take in the
 * repository, measured after each backup and each retention run with `restic stats --mode
 * raw-data` over the snapshots of its kept backups (files and database dumps), recorded with the
 * limits service as whole MiB (rounded up). Why raw-data and not the sum of `added_bytes`: see
 * decision 0060 (added bytes never shrink when retention forgets, and count nothing for data
 * another subscription stored first).
 */
import type { LimitsService, Logger, UsageLine } from '@hostplane/sdk';
import type { Restic } from '../restic/restic.js';
import type { BackupStore } from '../store.js';
import type { Repositories } from './repository.js';

export const STORAGE_RESOURCE = 'backup_storage_mb';
const MIB = 1024 * 1024;

export interface StorageMeterDeps {
  store: BackupStore;
  repos: Repositories;
  restic: () => Restic;
  limits: LimitsService;
  logger: Logger;
}

export class StorageMeter {
  constructor(private readonly deps: StorageMeterDeps) {}

  /** Snapshots of the subscription's kept backups: their files and their databases' dumps, by target (null: the platform's). */
  async snapshotsByTarget(subscriptionId: string): Promise<Map<string | null, string[]>> {
    const { store } = this.deps;
    const files = (await store
      .backups()
      .where({ subscription_id: subscriptionId, status: 'succeeded' })
      .whereNotNull('snapshot_id')
      .select('id', 'snapshot_id', 'target_id')) as Array<{ id: string; snapshot_id: string; target_id: string | null }>;
    const out = new Map<string | null, string[]>();
    if (files.length === 0) return out;
    const dumps = (await store
      .databaseParts()
      .whereIn(
        'backup_id',
        files.map((f) => f.id),
      )
      .where('status', 'succeeded')
      .whereNotNull('snapshot_id')
      .select('backup_id', 'snapshot_id')) as Array<{ backup_id: string; snapshot_id: string }>;
    const targetOf = new Map(files.map((f) => [f.id, f.target_id]));
    const add = (target: string | null, id: string) => out.set(target, [...(out.get(target) ?? []), id]);
    for (const f of files) add(f.target_id, f.snapshot_id);
    for (const d of dumps) add(targetOf.get(d.backup_id) ?? null, d.snapshot_id);
    return out;
  }

  /** Measure and record the subscription's usage (MiB, rounded up): each target's repository counts its own. */
  async measure(subscriptionId: string): Promise<UsageLine> {
    let bytes = 0;
    for (const [target, ids] of await this.snapshotsByTarget(subscriptionId)) {
      const repo = await this.deps.repos.forTarget(target);
      bytes += await this.deps.restic().rawDataSize(repo, ids);
    }
    return this.deps.limits.record(subscriptionId, STORAGE_RESOURCE, Math.ceil(bytes / MIB));
  }

  /** Measure, but a failure (a repository busy with a prune) only logs: the next backup measures again. */
  async measureQuietly(subscriptionId: string): Promise<void> {
    await this.measure(subscriptionId).catch((err: unknown) =>
      this.deps.logger.warn({ subscriptionId, err: (err as Error).message }, 'backup storage not measured'),
    );
  }

  /** The usage line when the subscription has used its whole quota (0 means none at all), else null. */
  async full(subscriptionId: string): Promise<UsageLine | null> {
    const line = (await this.deps.limits.usage(subscriptionId)).find((l) => l.resource === STORAGE_RESOURCE);
    if (!line || line.limit === null) return null;
    return line.used >= line.limit ? line : null;
  }
}
