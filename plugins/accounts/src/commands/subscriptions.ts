/** `hostplane subscriptions list|show|create|suspend|unsuspend|cancel|terminate`. */
import type { CommandDefinition } from '@hostplane/sdk';
import { CLI_SOURCE, PLATFORM_ACTOR, type AccountsDeps } from '../common.js';
import { createSubscription, transitionSubscription } from '../subscription-routes.js';
import {
  scopedSubscription,
  selectSubscriptions,
  subscriptionView,
  TRANSITIONS,
  type Cycle,
  type SubscriptionAction,
  type SubscriptionRow,
  type SubscriptionStatus,
} from '../subscriptions.js';
import { findPackage } from './packages.js';
import { findUser, integer, isUuid, oneOf, parse, show, UsageError, withUsage } from './support.js';

type Command = CommandDefinition<unknown, AccountsDeps>;

const STATUSES: readonly SubscriptionStatus[] = ['pending', 'active', 'suspended', 'cancelled', 'terminated'];
const CYCLES: readonly Cycle[] = ['monthly', 'quarterly', 'yearly'];
const CREATE_USAGE =
  'hostplane subscriptions create --customer EMAIL --package ID|NAME --cycle monthly|quarterly|yearly [--pending] [--json]';

function subscriptionId(positionals: string[]): string {
  if (positionals.length !== 1 || !isUuid(positionals[0]!)) throw new UsageError('name exactly one subscription by its id');
  return positionals[0]!;
}

function actionCommand(name: SubscriptionAction): Command {
  const takesReason = name === 'suspend';
  const usage = `hostplane subscriptions ${name} <id>${takesReason ? ' [--reason TEXT]' : ''} [--json]`;
  return {
    group: 'subscriptions',
    name,
    description: `${name[0]!.toUpperCase()}${name.slice(1)} a subscription (from ${TRANSITIONS[name].from.join(', ')})`,
    usage: usage.replace(`hostplane subscriptions ${name} `, ''),
    run: (args, io, ctx) =>
      withUsage(io, usage, async () => {
        const { values, positionals } = parse(args, takesReason ? { reason: { type: 'string' } } : {});
        const id = subscriptionId(positionals);
        const reason = values.reason?.trim() || null;
        if (reason !== null && reason.length > 500) throw new UsageError('--reason: at most 500 characters');
        const row = await transitionSubscription(ctx.deps, PLATFORM_ACTOR, id, name, reason, CLI_SOURCE);
        if (values.json) show(io, true, subscriptionView(row));
        else io.out(`subscription ${row.id} is ${row.status}`);
        return 0;
      }),
  };
}

const listRow = (row: SubscriptionRow) => ({
  id: row.id,
  customer: row.customer_id,
  package: row.package_name,
  status: row.status,
  cycle: row.billing_cycle,
  nextDue: row.next_due_date,
  reason: row.suspend_reason,
});

export const subscriptionCommands: Command[] = [
  {
    group: 'subscriptions',
    name: 'list',
    description: 'Subscriptions, newest last',
    usage: '[--customer EMAIL] [--status S] [--limit N] [--json]',
    run: (args, io, ctx) =>
      withUsage(io, 'hostplane subscriptions list [--customer EMAIL] [--status S] [--limit N] [--json]', async () => {
        const { values, positionals } = parse(args, {
          customer: { type: 'string' },
          status: { type: 'string' },
          limit: { type: 'string' },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
        const status = oneOf('status', values.status, STATUSES);
        const limit = integer('limit', values.limit, 1, 1000) ?? 100;
        const s = `${ctx.deps.db.schema}.subscriptions`;
        const query = selectSubscriptions(ctx.deps.db)
          .orderBy([{ column: `${s}.created_at` }, { column: `${s}.id` }])
          .limit(limit);
        if (status) query.where(`${s}.status`, status);
        if (values.customer) query.where(`${s}.customer_id`, (await findUser(ctx.deps, values.customer)).id);
        const rows = (await query) as SubscriptionRow[];
        if (values.json) show(io, true, rows.map(subscriptionView));
        else show(io, false, rows.map(listRow), ['id', 'customer', 'package', 'status', 'cycle', 'nextDue', 'reason']);
        return 0;
      }),
  },
  {
    group: 'subscriptions',
    name: 'show',
    description: 'One subscription with its usage against the package limits',
    usage: '<id> [--json]',
    run: (args, io, ctx) =>
      withUsage(io, 'hostplane subscriptions show <id> [--json]', async () => {
        const { values, positionals } = parse(args, {});
        const row = await scopedSubscription(ctx.deps, PLATFORM_ACTOR, subscriptionId(positionals));
        const usage = await ctx.deps.limits.usage(row.id);
        const view = subscriptionView(row);
        if (values.json) show(io, true, { ...view, usage });
        else
          show(io, false, {
            ...view,
            usage: usage.map((u) => `${u.resource} ${u.used}/${u.limit ?? '∞'}`).join(', '),
          });
        return 0;
      }),
  },
  {
    group: 'subscriptions',
    name: 'create',
    description: 'Assign a package to a customer (or, as the platform, to a reseller)',
    usage: CREATE_USAGE.replace('hostplane subscriptions create ', ''),
    run: (args, io, ctx) =>
      withUsage(io, CREATE_USAGE, async () => {
        const { values, positionals } = parse(args, {
          customer: { type: 'string' },
          package: { type: 'string' },
          cycle: { type: 'string' },
          pending: { type: 'boolean' },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
        if (!values.customer) throw new UsageError('--customer is required');
        if (!values.package) throw new UsageError('--package is required');
        const cycle = oneOf('cycle', values.cycle, CYCLES);
        if (!cycle) throw new UsageError(`--cycle is required: ${CYCLES.join(', ')}`);
        const customer = await findUser(ctx.deps, values.customer);
        const pkg = await findPackage(ctx.deps, values.package);
        const row = await createSubscription(
          ctx.deps,
          PLATFORM_ACTOR,
          {
            customerId: customer.id,
            packageId: pkg.id,
            billingCycle: cycle,
            ...((values as { pending?: boolean }).pending ? { status: 'pending' as const } : {}),
          },
          CLI_SOURCE,
        );
        if (values.json) show(io, true, subscriptionView(row));
        else io.out(`created subscription ${row.id}: ${customer.email} on ${row.package_name} (${row.status})`);
        return 0;
      }),
  },
  ...(Object.keys(TRANSITIONS) as SubscriptionAction[]).map(actionCommand),
];
