/**
 * `hostplane billing run [--date D] [--dry-run]`: invoice every subscription due on D (today
 * by default). The CLI does the work itself, subscription by subscription, with the same
 * function as the durable jobs, so it is safe while hosts run theirs: each period is invoiced
 * once whoever gets there first. `--dry-run` lists what is due and changes nothing.
 */
import type { ClockService, CommandDefinition } from '@hostplane/sdk';
import type { InvoiceService } from '../services/invoices.js';
import type { Invoicing } from '../services/invoicing.js';
import { formatMoney } from '../services/money.js';
import { dateOf, isDate } from '../services/periods.js';
import { parse, table, UsageError, withUsage } from './support.js';

const USAGE = 'hostplane billing run [--date YYYY-MM-DD] [--dry-run] [--json]';

export function billingCommands(deps: {
  invoicing: Invoicing;
  invoices: InvoiceService;
  clock: ClockService;
}): CommandDefinition<unknown, unknown>[] {
  const { invoicing, invoices, clock } = deps;
  return [
    {
      name: 'run',
      description: 'Invoice the subscriptions due on a date (today by default); --dry-run lists them',
      usage: '[--date YYYY-MM-DD] [--dry-run] [--json]',
      run: (args, io) =>
        withUsage(io, USAGE, async () => {
          const { values, positionals } = parse(args, { date: { type: 'string' }, 'dry-run': { type: 'boolean' } });
          if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
          const date = (values.date as string | undefined) ?? dateOf(clock.now());
          if (!isDate(date)) throw new UsageError(`--date must be a date YYYY-MM-DD, got "${date}"`);
          const due = await invoicing.store.dueSubscriptions(date);
          if (values['dry-run']) {
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
          const overdue = await invoices.markOverdue(date);
          const results = [];
          // A subscription several periods behind is invoiced period by period until it is current.
          for (let round = 0; round < 36; round++) {
            const batch = await invoicing.store.dueSubscriptions(date);
            if (batch.length === 0) break;
            let progressed = false;
            for (const s of batch) {
              const result = await invoicing.invoiceSubscription({ subscriptionId: s.id, periodStart: s.next_due_date, date });
              results.push({ subscription: s.id, period: s.next_due_date, ...result });
              if (result.outcome !== 'skipped') progressed = true;
            }
            if (!progressed) break;
          }
          if (values.json) io.out(JSON.stringify(results, null, 2));
          else {
            const issued = results.filter((r) => r.outcome === 'issued');
            const rows = results.map((r) => ({
              subscription: r.subscription,
              period: r.period,
              outcome: r.outcome,
              number: 'number' in r ? r.number : 'reason' in r ? r.reason : '',
            }));
            io.out(
              `${table(rows, ['subscription', 'period', 'outcome', 'number'])}\n${issued.length} invoice(s) issued for ${date}; ${overdue} became overdue`,
            );
          }
          return 0;
        }),
    },
  ];
}
