/**
 * The one queue every change goes through: while a check + reload runs, new calls wait, and the
 * next batch carries all of them, so a burst of applies costs a handful of reloads. A batch:
 * prepare each site (user, tree, files), `nginx -t` / `php-fpm -t`, roll back only the site an
 * error names and check again, reload, then finish each site and settle its callers.
 */
import { WebServerUnavailable } from '@hostplane/sdk';
import { sitePaths } from '../layout.js';
import { checkFpm, checkNginx } from './checks.js';
import type { DriverContext } from './driver-context.js';
import { finish, newWork, prepare, restore, type SiteOp, type SiteWork } from './site-work.js';

export type ReloadOp = { kind: 'reload'; resolve(): void; reject(e: unknown): void };
export type Op = SiteOp | ReloadOp;

const PREPARE_CONCURRENCY = 8;

export class BatchQueue {
  private readonly queue: Op[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly ctx: DriverContext) {}

  enqueue(op: Op): void {
    this.queue.push(op);
    if (this.draining) return;
    // One macrotask of delay: calls made in the same tick land in the same batch.
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
      });
  }

  /** Resolves once everything queued so far is settled. */
  async idle(): Promise<void> {
    await this.draining?.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await runBatch(this.ctx, batch);
      } catch (err) {
        // Unexpected: settle everything still waiting so no caller hangs.
        this.ctx.log.error({ err }, 'web server batch failed');
        for (const op of batch) op.reject(err);
      }
    }
  }
}

async function runBatch(ctx: DriverContext, batch: Op[]): Promise<void> {
  const works = new Map<string, SiteWork>();
  const reloadOps = batch.filter((op): op is ReloadOp => op.kind === 'reload');
  const forced = reloadOps.length > 0;
  for (const op of batch) {
    if (op.kind === 'reload') continue;
    const name = op.kind === 'apply' ? op.site.name : op.name;
    let work = works.get(name);
    if (!work) works.set(name, (work = newWork(name)));
    work.ops.push(op);
  }

  const t0 = performance.now();
  // Site users first, all in one go (see SiteUsers.ensureMany).
  const owners = await ctx.users.ensureMany(
    [...works.values()]
      .filter((w) => w.ops.some((op) => op.kind === 'apply'))
      .map((w) => ({ siteName: w.name, siteDir: sitePaths(ctx.layout, w.name).dir })),
  );
  await eachLimited([...works.values()], PREPARE_CONCURRENCY, (work) => prepare(ctx, work, owners.get(work.name)));
  const t1 = performance.now();
  let t2 = t1;

  const live = (): SiteWork[] => [...works.values()].filter((w) => w.error === null);
  const nginxChanged = forced || live().some((w) => w.changedNginx);
  const fpmChanged = new Set<string>(forced ? ctx.versions : []);
  for (const w of live()) for (const v of w.changedPools) fpmChanged.add(v);

  let reloadError: unknown = null;
  if (nginxChanged || fpmChanged.size > 0) {
    try {
      if (nginxChanged) await checkNginx(ctx, works);
      for (const version of fpmChanged) {
        const master = ctx.fpm.get(version);
        if (master) await checkFpm(ctx, version, master, works);
      }
      // A site rejected by one check was rolled back in both; reload what is still changed.
      t2 = performance.now();
      ctx.reloads++;
      if (nginxChanged) await ctx.nginx.reload();
      for (const version of fpmChanged) await ctx.fpm.get(version)?.reload();
    } catch (err) {
      // The server, not a site, is at fault: callers keep their sites pending and retry. Put
      // the batch's files back so the next batch does not trip over the same unknown error.
      reloadError = WebServerUnavailable(err instanceof Error ? err.message : String(err));
      ctx.log.error({ err }, 'check or reload failed');
      for (const work of works.values()) {
        await restore(work).catch((e: unknown) => ctx.log.error({ site: work.name, err: e }, 'restore failed'));
      }
    }
  }

  const t3 = performance.now();
  for (const op of reloadOps) {
    if (reloadError) op.reject(reloadError);
    else op.resolve();
  }
  await eachLimited([...works.values()], PREPARE_CONCURRENCY, (work) => finish(ctx, work, reloadError));
  const ms = (a: number, b: number): number => Math.round(b - a);
  ctx.log.info(
    {
      sites: works.size,
      rejected: [...works.values()].filter((w) => w.error !== null).length,
      reloaded: nginxChanged || fpmChanged.size > 0,
      prepareMs: ms(t0, t1),
      checkMs: ms(t1, t2),
      reloadMs: ms(t2, t3),
      finishMs: ms(t3, performance.now()),
    },
    'web server batch done',
  );
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
