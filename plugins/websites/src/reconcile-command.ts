/**
 * `hostplane websites reconcile [domain …] [--wait]`: mark sites (all, or the named ones) for
 * another apply and queue the reconciler, which a running host executes. Re-applying rewrites
 * every file from the desired state, so drift on disk (a deleted config, a changed pool) is
 * repaired. With `--wait`, waits until the sites converged and prints their states.
 */
import { CommonErrors, type CommandDefinition } from '@hostplane/sdk';
import { normalizeDomain } from './domains.js';
import type { WebsiteRow, WebsiteStore } from './store.js';
import type { WebsitesService } from './websites-service.js';

const WAIT_MS = 120_000;

export function reconcileCommand<C, D>(store: WebsiteStore, service: WebsitesService): CommandDefinition<C, D> {
  return {
    name: 'reconcile',
    description: 'Re-apply websites to the web server (repairs drift); --wait to wait for the result',
    usage: '[domain ...] [--wait]',
    async run(args, io) {
      const wait = args.includes('--wait');
      const unknown = args.filter((a) => a.startsWith('--') && a !== '--wait');
      if (unknown.length)
        throw CommonErrors.badRequest(`unknown option ${unknown[0]}; usage: websites reconcile [domain ...] [--wait]`, undefined);
      const domains = args.filter((a) => !a.startsWith('--')).map((d) => normalizeDomain(d));
      const ids = await store.db.transaction(async (trx) => {
        const q = store.table(trx).whereNot({ desired: 'deleted' });
        if (domains.length) {
          q.whereIn('id', store.db.table('website_domains', trx).whereIn('domain', domains).select('website_id'));
        }
        const rows = (await q
          .update({
            generation: trx.raw('generation + 1') as unknown as number,
            failures: 0,
            status: trx.raw(`case when status = 'error' then 'provisioning' else status end`) as unknown as WebsiteRow['status'],
          })
          .returning('id')) as Array<{ id: string }>;
        if (rows.length) await service.enqueueReconcile(trx);
        return rows.map((r) => r.id);
      });
      if (domains.length && ids.length === 0) {
        io.err(`No website answers to ${domains.join(', ')}\n`);
        return 1;
      }
      io.out(`${ids.length} website(s) queued for reconcile\n`);
      if (!wait || ids.length === 0) return 0;
      const deadline = Date.now() + WAIT_MS;
      let rows: WebsiteRow[] = [];
      while (Date.now() < deadline) {
        rows = (await store.table().whereIn('id', ids)) as WebsiteRow[];
        if (rows.every((r) => r.applied_generation >= r.generation)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      for (const r of rows) io.out(`${r.domain}\t${r.status}${r.status_reason ? `\t${r.status_reason}` : ''}\n`);
      const pending = rows.filter((r) => r.applied_generation < r.generation);
      if (pending.length) {
        io.err(
          `${pending.length} website(s) did not converge within ${WAIT_MS / 1000} s: is a host running with a web server plugin?\n`,
        );
        return 1;
      }
      return rows.some((r) => r.status === 'error') ? 1 : 0;
    },
  };
}
