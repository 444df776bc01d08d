/** Operator commands (`hostplane cron-jobs …`): list, and run the dispatcher now (a running host does the runs). */
import type { CommandDefinition, JobsService } from '@hostplane/sdk';
import { DISPATCH_JOB } from './services/runner.js';
import type { CronJobRow, CronStore } from './store.js';

export interface CommandDeps {
  store: CronStore;
  jobs: JobsService;
}

export function listCommand<C, D>({ store }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'list',
    description: 'List cron jobs with their last run (--website <id> for one site)',
    usage: '[--website <id>] [--json]',
    async run(args, io) {
      const at = args.indexOf('--website');
      const website = at >= 0 ? args[at + 1] : undefined;
      if (at >= 0 && !website) {
        io.err('usage: hostplane cron-jobs list [--website <id>] [--json]\n');
        return 2;
      }
      const q = store.jobs().orderBy('created_at').limit(1000);
      if (website) q.where({ website_id: website });
      const rows = (await q) as CronJobRow[];
      const shown = rows.map((r) => ({
        id: r.id,
        websiteId: r.website_id,
        schedule: r.schedule,
        command: r.command,
        enabled: r.enabled,
        nextRunAt: r.next_run_at,
        lastRunAt: r.last_run_at,
        lastStatus: r.last_status,
        lastExitCode: r.last_exit_code,
      }));
      if (args.includes('--json')) {
        io.out(`${JSON.stringify(shown)}\n`);
        return 0;
      }
      for (const r of shown) {
        io.out(
          `${r.id}\t${r.schedule}\t${r.enabled ? 'on' : 'off'}\t${r.lastStatus ?? '-'}\t${r.lastExitCode ?? '-'}\t${r.command.slice(0, 60)}\n`,
        );
      }
      return 0;
    },
  };
}

export function dispatchCommand<C, D>({ jobs }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'dispatch',
    description: 'Queue the runs of every due cron job now (a running host runs them)',
    usage: '',
    async run(args, io) {
      if (args.length) {
        io.err('usage: hostplane cron-jobs dispatch\n');
        return 2;
      }
      const { id } = await jobs.enqueue(DISPATCH_JOB, {});
      io.out(`dispatch queued (job ${id})\n`);
      return 0;
    },
  };
}
