/**
 * `hostplane users suspend|unsuspend`: added to the CLI's built-in `users` group (which keeps
 * list, create and show), because suspending a user takes their subscriptions along.
 */
import type { CommandDefinition } from '@hostplane/sdk';
import { CLI_SOURCE, type AccountsDeps } from '../common.js';
import { suspendUser, unsuspendUser } from '../user-status.js';
import { findUser, parse, show, UsageError, withUsage } from './support.js';

type Command = CommandDefinition<unknown, AccountsDeps>;

const SUSPEND_USAGE = 'hostplane users suspend <id|email> --reason TEXT [--json]';
const UNSUSPEND_USAGE = 'hostplane users unsuspend <id|email> [--json]';

// The operator at the console acts as the platform: its suspensions only an administrator lifts.
const by = { actorId: null, via: CLI_SOURCE.via ?? 'cli', level: 'platform' as const };

export const userCommands: Command[] = [
  {
    group: 'users',
    name: 'suspend',
    description: 'Suspend a user and their active subscriptions (subscription.suspended for each)',
    usage: '<id|email> --reason TEXT [--json]',
    run: (args, io, ctx) =>
      withUsage(io, SUSPEND_USAGE, async () => {
        const { values, positionals } = parse(args, { reason: { type: 'string' } });
        if (positionals.length !== 1) throw new UsageError('name exactly one user');
        const reason = values.reason?.trim();
        if (!reason || reason.length > 500) throw new UsageError('--reason is required (1 to 500 characters)');
        const user = await findUser(ctx.deps, positionals[0]!);
        const done = await suspendUser(ctx.deps, user.id, reason, by);
        if (values.json) show(io, true, { userId: user.id, status: 'suspended', subscriptions: done.subscriptions });
        else io.out(`suspended ${user.email} and ${done.subscriptions.length} subscription(s)`);
        return 0;
      }),
  },
  {
    group: 'users',
    name: 'unsuspend',
    description: 'Reactivate a user and the subscriptions suspended with them',
    usage: '<id|email> [--json]',
    run: (args, io, ctx) =>
      withUsage(io, UNSUSPEND_USAGE, async () => {
        const { values, positionals } = parse(args, {});
        if (positionals.length !== 1) throw new UsageError('name exactly one user');
        const user = await findUser(ctx.deps, positionals[0]!);
        const done = await unsuspendUser(ctx.deps, user.id, by);
        if (values.json) show(io, true, { userId: user.id, status: 'active', subscriptions: done.subscriptions });
        else io.out(`reactivated ${user.email} and ${done.subscriptions.length} subscription(s)`);
        return 0;
      }),
  },
];
