/**
 * `hostplane billing run [--date D] [--dry-run] [--wait]`: queue the invoice run for date D
 * (today by default) as the durable job the daily schedule also queues; a running host's
 * workers invoice each due subscription (one job each). The CLI starts no plugin code beyond
 * the command, so the work happens where the accounts service that moves due dates runs.
 * `--dry-run` lists what is due and changes nothing; `--wait` waits until nothing is due.
 */
import type { ClockService, CommandDefinition, JobsService } from '@hostplane/sdk';
import type { Invoicing } from '../services/invoicing.js';
import { RUN_JOB } from '../services/invoicing.js';
import { formatMoney } from '../services/money.js';
import { dateOf, isDate } from '../services/periods.js';
import { parse, table, UsageError, withUsage } from './support.js';

const USAGE = 'hostplane billing run [--date YYYY-MM-DD] [--dry-run] [--wait] [--json]';
const WAIT_MS = 10 * 60_000;

export function billingCommands(deps: {
  invoicing: Invoicing;
  jobs: JobsService;
  clock: ClockService;
}): CommandDefinition<unknown, unknown>[] {
  const { invoicing, jobs, clock } = deps;
  return [
    {
      name: 'run',
      description: 'Invoice the subscriptions due on a date (today by default): queued for the hosts; --dry-run lists them',
      usage: '[--date YYYY-MM-DD] [--dry-run] [--wait] [--json]',
      run: (args, io) =>
        withUsage(io, USAGE, async () => {
          const { values, positionals } = parse(args, {
            date: { type: 'string' },
            'dry-run': { type: 'boolean' },
            wait: { type: 'boolean' },
          });
          if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
          const date = (values.date as string | undefined) ?? dateOf(clock.now());
          if (!isDate(date)) throw new UsageError(`--date must be a date YYYY-MM-DD, got "${date}"`);
          if (values['dry-run']) {
            const due = await invoicing.store.dueSubscriptions(date);
            const rows = due.map((s) => ({
              subscription: s.id,
              period: s.next_due_date,
              package: s.package_name,
              amount: s.price === null ? 'no price for this cycle' : formatMoney(s.price, s.currency),
            }));
            io.out(
              values.json
                ? JSON.stringify(rows, null, 2)
                : `${table(rows, ['subscription', 'period', 'package', 'amount'])}\n${due.length} due on ${date} (dry run: nothing changed)`,
            );
            return 0;
          }
          const due = await invoicing.store.dueCount(date);
          const before = await invoicing.issuedCount();
          await jobs.enqueue(RUN_JOB, { date });
          if (!values.wait) {
            io.out(
              values.json
                ? JSON.stringify({ date, due, queued: true })
                : `${due} subscription(s) due on ${date}; the run is queued for the hosts' workers`,
            );
            return 0;
          }
          const deadline = Date.now() + WAIT_MS;
          let left = due;
          // A short run answers at once; a long one is asked less often, so that waiting does not
          // take the CPU the run needs.
          for (let pause = 100; left > 0 && Date.now() < deadline; pause = Math.min(pause * 2, 1000)) {
            await new Promise((r) => setTimeout(r, pause));
            left = await invoicing.store.dueCount(date);
          }
          const issued = (await invoicing.issuedCount()) - before;
          io.out(
            values.json
              ? JSON.stringify({ date, issued, stillDue: left })
              : `${issued} invoice(s) issued for ${date}; ${left} subscription(s) still due`,
          );
          return left === 0 ? 0 : 1;
        }),
    },
  ];
}
