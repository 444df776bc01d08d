/** Subscriptions: rows, views, the status machine and scoped reads. */
import { Type, type Actor, type Static } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { DateTime, Uuid, type AccountsDeps } from './common.js';
import { AccountsErrors } from './errors.js';
import { subscriptionSuspendedMail } from './mails.js';
import type { SuspensionLevel } from './suspension-levels.js';

export const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('active'),
  Type.Literal('suspended'),
  Type.Literal('cancelled'),
  Type.Literal('terminated'),
]);
export type SubscriptionStatus = Static<typeof Status>;
export const BillingCycle = Type.Union([Type.Literal('monthly'), Type.Literal('quarterly'), Type.Literal('yearly')]);
export type Cycle = Static<typeof BillingCycle>;

export const SubscriptionSchema = Type.Object({
  id: Uuid,
  customerId: Uuid,
  packageId: Uuid,
  packageName: Type.String(),
  status: Status,
  billingCycle: BillingCycle,
  nextDueDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  suspendReason: Type.Union([Type.String(), Type.Null()]),
  suspendedBy: Type.Union([Type.Literal('platform'), Type.Literal('reseller'), Type.Literal('customer'), Type.Null()], {
    description:
      'Level of whoever suspended it (a subscription suspended with its user: the level of that act). Only that ' +
      'level or above may lift it: a reseller cannot lift the platform’s (an administrator’s or the CLI’s)',
  }),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type SubscriptionView = Static<typeof SubscriptionSchema>;

export interface SubscriptionRow {
  id: string;
  customer_id: string;
  package_id: string;
  package_name: string;
  status: SubscriptionStatus;
  billing_cycle: Cycle;
  next_due_date: string | null;
  suspended_with_user: boolean;
  suspend_reason: string | null;
  suspended_by_level: SuspensionLevel | null;
  created_at: Date;
  updated_at: Date;
}

export function subscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    customerId: row.customer_id,
    packageId: row.package_id,
    packageName: row.package_name,
    status: row.status,
    billingCycle: row.billing_cycle,
    nextDueDate: row.next_due_date,
    suspendReason: row.suspend_reason,
    suspendedBy: row.status === 'suspended' ? row.suspended_by_level : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Subscriptions with their package name; `next_due_date` as text (a date has no time zone). */
export function selectSubscriptions(db: AccountsDeps['db'], trx?: Knex.Transaction): Knex.QueryBuilder {
  const s = `${db.schema}.subscriptions`;
  return db
    .table('subscriptions', trx)
    .join('packages as p', 'p.id', `${s}.package_id`)
    .select(
      `${s}.id`,
      `${s}.customer_id`,
      `${s}.package_id`,
      'p.name as package_name',
      `${s}.status`,
      `${s}.billing_cycle`,
      db.knex.raw(`${s}.next_due_date::text as next_due_date`),
      `${s}.suspended_with_user`,
      `${s}.suspend_reason`,
      `${s}.suspended_by_level`,
      `${s}.created_at`,
      `${s}.updated_at`,
    );
}

/** A subscription in `actor`'s subtree (by its customer), or 404 — never loaded otherwise. */
export async function scopedSubscription(
  deps: Pick<AccountsDeps, 'db' | 'tenancy'>,
  actor: Actor,
  id: string,
  trx?: Knex.Transaction,
): Promise<SubscriptionRow> {
  const s = `${deps.db.schema}.subscriptions`;
  let query = selectSubscriptions(deps.db, trx).where(`${s}.id`, id);
  // A technical user acts for its customer: it sees the customer's subscriptions.
  query = scopeSubscriptions(deps, query, actor);
  if (trx) query.forUpdate();
  const row = (await query.first()) as SubscriptionRow | undefined;
  if (!row) throw AccountsErrors.subscriptionNotFound(id);
  return row;
}

/** Restrict a subscriptions query to the actor's subtree (technical users: their customer's). */
export function scopeSubscriptions(
  deps: Pick<AccountsDeps, 'db' | 'tenancy'>,
  query: Knex.QueryBuilder,
  actor: Actor,
): Knex.QueryBuilder {
  const column = `${deps.db.schema}.subscriptions.customer_id`;
  if (actor.role === 'technical_user') {
    return query.whereIn(column, deps.db.knex('hostplane.users').select('parent_id').where('id', actor.userId));
  }
  return deps.tenancy.scope(query, actor, column);
}

/** Which statuses each action accepts, and where it leads. */
export const TRANSITIONS = {
  suspend: { from: ['active', 'pending'], to: 'suspended', verb: 'suspended' },
  unsuspend: { from: ['suspended'], to: 'active', verb: 'unsuspended' },
  cancel: { from: ['pending', 'active', 'suspended'], to: 'cancelled', verb: 'cancelled' },
  terminate: { from: ['pending', 'active', 'suspended', 'cancelled'], to: 'terminated', verb: 'terminated' },
} as const satisfies Record<string, { from: readonly SubscriptionStatus[]; to: SubscriptionStatus; verb: string }>;
export type SubscriptionAction = keyof typeof TRANSITIONS;

/** Next due date: one billing cycle from today (UTC). */
export function nextDue(cycle: Cycle, from = new Date()): string {
  const months = cycle === 'monthly' ? 1 : cycle === 'quarterly' ? 3 : 12;
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + months, from.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

/** Emit the event of a status change (after the transaction commits); a suspension also mails the customer. */
export async function emitTransition(
  deps: Pick<AccountsDeps, 'events' | 'users' | 'mailer'>,
  action: SubscriptionAction,
  row: Pick<SubscriptionRow, 'id' | 'customer_id' | 'package_name'>,
  trx: Knex.Transaction,
  reason: string | null = null,
): Promise<void> {
  const base = { subscriptionId: row.id, customerId: row.customer_id };
  if (action === 'suspend') {
    await deps.events.emit('subscription.suspended', { ...base, reason }, { trx });
    await mailSuspension(deps, row, trx, reason);
  } else if (action === 'unsuspend') await deps.events.emit('subscription.unsuspended', base, { trx });
  else if (action === 'cancel') await deps.events.emit('subscription.cancelled', base, { trx });
  else await deps.events.emit('subscription.terminated', base, { trx });
}

/** In the suspending transaction: one mail per suspension, none when it rolls back. */
async function mailSuspension(
  deps: Pick<AccountsDeps, 'users' | 'mailer'>,
  row: Pick<SubscriptionRow, 'customer_id' | 'package_name'>,
  trx: Knex.Transaction,
  reason: string | null,
): Promise<void> {
  const customer = await deps.users.get(row.customer_id);
  if (!customer) return;
  await deps.mailer.sendTemplate(
    subscriptionSuspendedMail,
    {
      to: customer.email,
      recipientId: customer.id,
      variables: { packageName: row.package_name || 'hosting', reason: (reason ?? '').slice(0, 500) },
    },
    { trx },
  );
}
