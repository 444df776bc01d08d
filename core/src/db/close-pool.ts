/**
 * Closing the knex pool without waiting forever. knex's `destroy()` waits for every connection
 * still checked out; one held by plugin code the kernel abandoned (a `start` stuck in a query
 * past its time limit) would hold up shutdown for good. After a grace period, such connections'
 * server processes are terminated, which fails their queries and lets the pool close.
 */
import type { Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import pg from 'pg';

/** What knex exposes of its tarn pool (not typed by knex). */
interface PoolView {
  used?: Array<{ resource?: { processID?: number | null } }>;
}

/** Destroy `knex`'s pool; past `graceMs`, terminate the backends of connections still in use. */
export async function closePool(knex: Knex, url: string, graceMs: number, logger?: Logger): Promise<void> {
  const destroying = knex.destroy();
  if (await settlesWithin(destroying, graceMs)) return;
  const pool = (knex.client as { pool?: PoolView }).pool;
  const pids = (pool?.used ?? []).map((u) => u.resource?.processID).filter((pid): pid is number => typeof pid === 'number');
  logger?.warn({ connections: pids.length }, 'database connections still in use at close: terminating them');
  if (pids.length > 0) await terminate(url, pids, logger);
  if (!(await settlesWithin(destroying, graceMs))) logger?.error('database pool did not close; giving up on it');
}

async function terminate(url: string, pids: number[], logger?: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
  } catch (err) {
    logger?.warn({ err }, 'could not terminate the connections still in use');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when `work` settles (either way) within `ms`. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
