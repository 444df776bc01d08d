/**
 * Counting traffic: have the web server rotate its logs (complete files, bounded retention),
 * count every rotated access log not counted yet on the worker pool (a big file split into
 * byte ranges counted in parallel, then merged), store the sums with the file's "counted"
 * marker in one transaction, and check each subscription's month against its bandwidth.
 */
import type { Logger, RotatedSiteLog, TasksService, WebServerDriver } from '@hostplane/sdk';
import type { MeteringStore, SiteRow } from '../store.js';
import { emptyAggregate, merge, type Aggregate } from '../tasks/aggregate.js';
import type { ParseInput } from '../tasks/parse-access-log.js';
import type { Quotas } from './quotas.js';

export const PARSE_TASK = 'parse-access-log';
/** Byte range one task counts: large enough to amortise a thread hop, small enough to spread. */
export const RANGE_BYTES = 8 * 1024 * 1024;
/** Distinct paths stored per site and day from one file (the busiest). */
const TOP_PATHS_STORED = 100;

export interface TrafficRun {
  files: number;
  counted: number;
  lines: number;
  rejected: number;
}

/** Split a file of `size` bytes into ranges of at most `rangeBytes`. */
export function rangesOf(file: string, size: number, rangeBytes = RANGE_BYTES): ParseInput[] {
  const out: ParseInput[] = [];
  for (let start = 0; start < size; start += rangeBytes) out.push({ file, start, end: Math.min(size, start + rangeBytes) });
  return out.length > 0 ? out : [{ file, start: 0, end: 0 }];
}

/** Count one file on the pool: its ranges in parallel, merged. */
export async function countFile(tasks: TasksService, file: string, size: number): Promise<Aggregate> {
  const parts = await Promise.all(rangesOf(file, size).map((r) => tasks.run<ParseInput, Aggregate>(PARSE_TASK, r)));
  return parts.reduce(merge, emptyAggregate());
}

export class TrafficMeter {
  constructor(
    private readonly deps: {
      store: MeteringStore;
      tasks: TasksService;
      quotas: Quotas;
      logger: Logger;
      driver: () => WebServerDriver | undefined;
    },
  ) {}

  async collect(): Promise<TrafficRun> {
    const { store, tasks, logger } = this.deps;
    const run: TrafficRun = { files: 0, counted: 0, lines: 0, rejected: 0 };
    const driver = this.deps.driver();
    if (!driver?.rotateLogs) {
      logger.warn('no web server driver with log rotation: traffic is not counted');
      return run;
    }
    let rotated: RotatedSiteLog[];
    try {
      rotated = await driver.rotateLogs();
    } catch (err) {
      // No server running (degraded, starting): nothing was written meanwhile; the next run counts.
      if ((err as { code?: string }).code !== 'WEBSERVER_ERR_UNAVAILABLE') throw err;
      logger.warn({ reason: (err as Error).message }, 'web server unavailable: traffic not counted this time');
      return run;
    }
    const sites = new Map<string, SiteRow>((await store.allSites()).map((s) => [s.name, s]));
    const subscriptions = new Set<string>();
    for (const log of rotated) {
      if (log.kind !== 'access') continue;
      run.files += 1;
      const site = sites.get(log.siteName);
      // A site deleted meanwhile (its files go with it), or one the driver serves for nobody.
      if (!site || (await store.isCounted(log.file))) continue;
      const agg = await countFile(tasks, log.file, log.size);
      if (await store.addTraffic(site, log.file, agg, TOP_PATHS_STORED)) {
        run.counted += 1;
        run.lines += agg.lines;
        run.rejected += agg.rejected;
        subscriptions.add(site.subscription_id);
      }
    }
    for (const id of subscriptions) await this.deps.quotas.bandwidth(id);
    await this.deps.quotas.liftThrottles();
    if (run.counted > 0) logger.info(run, 'traffic counted');
    return run;
  }
}
