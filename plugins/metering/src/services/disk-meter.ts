/**
 * Measuring every site's disk: one worker-pool task per site (the tree walked with bounded
 * I/O, see tasks/disk-usage.ts), a few sites at a time, then each subscription's total
 * recorded and checked against its package.
 */
import type { ClockService, DiskUsageSource, Logger, TasksService, WebServerDriver } from '@hostplane/sdk';
import type { MeteringConfig } from '../config.js';
import type { MeteringStore, SiteRow } from '../store.js';
import type { DiskUsage, DiskUsageInput } from '../tasks/disk-usage.js';
import type { Quotas } from './quotas.js';

export const DISK_TASK = 'disk-usage';

export interface DiskMeterDeps {
  store: MeteringStore;
  tasks: TasksService;
  quotas: Quotas;
  clock: ClockService;
  logger: Logger;
  config: () => MeteringConfig;
  driver: () => WebServerDriver | undefined;
  /** Other plugins' disk (databases), through the `disk-usage` extension point. */
  sources: () => DiskUsageSource[];
}

export interface DiskRun {
  sites: number;
  /** Subscriptions whose disk from other sources (databases) changed. */
  other: number;
  measured: number;
  bytes: number;
  ops: number;
  ms: number;
}

/** Run `fn` over `items` with at most `n` at once. */
export async function inBatches<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
}

export class DiskMeter {
  constructor(private readonly deps: DiskMeterDeps) {}

  async measureAll(): Promise<DiskRun> {
    const { store, tasks, logger, config, clock } = this.deps;
    const started = Date.now();
    const driver = this.deps.driver();
    const run: DiskRun = { sites: 0, other: 0, measured: 0, bytes: 0, ops: 0, ms: 0 };
    const subscriptions = new Set<string>();
    for (const id of await this.takeOtherSources()) subscriptions.add(id);
    run.other = subscriptions.size;
    const siteTree = driver?.siteTree?.bind(driver);
    if (!siteTree) logger.warn('no web server driver with site trees: the sites’ disk use is not measured');
    const sites = siteTree ? await store.allSites() : [];
    run.sites = sites.length;
    const c = config();
    await inBatches(sites, c.diskConcurrency, async (site: SiteRow) => {
      try {
        const tree = await siteTree!({ id: site.id, name: site.name });
        const usage: DiskUsage = tree
          ? await tasks.run<DiskUsageInput, DiskUsage>(DISK_TASK, {
              root: tree.root,
              opsPerSecond: c.diskOpsPerSecond,
              concurrency: 4,
              maxEntries: c.maxEntriesPerSite,
            })
          : { bytes: 0, files: 0, dirs: 0, ops: 0, truncated: false, missing: true };
        await store.db.transaction((trx) => store.recordDisk(site, usage.bytes, usage.files, usage.truncated, clock.now(), trx));
        run.measured += 1;
        run.bytes += usage.bytes;
        run.ops += usage.ops;
        subscriptions.add(site.subscription_id);
      } catch (err) {
        // One site that cannot be measured (its tree gone meanwhile) does not stop the others.
        logger.warn({ err, site: site.name }, 'disk use of a site not measured');
      }
    });
    for (const id of subscriptions) await this.deps.quotas.disk(id);
    run.ms = Date.now() - started;
    logger.info(run, 'disk use measured');
    return run;
  }

  /** Take each source's figures; the subscriptions whose figure changed. A failing source keeps its last ones. */
  private async takeOtherSources(): Promise<string[]> {
    const { store, clock, logger } = this.deps;
    const changed: string[] = [];
    for (const source of this.deps.sources()) {
      try {
        changed.push(...(await store.replaceOtherDisk(source.kind, await source.bytesBySubscription(), clock.now())));
      } catch (err) {
        logger.warn({ err, kind: source.kind }, 'disk use of another kind not taken');
      }
    }
    return changed;
  }
}
