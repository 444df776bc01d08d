/**
 * The gateway's customer for a billing customer, one per (user, issuer's account, gateway),
 * made on first need and remembered in `gateway_customers`. The gateway call carries a key of
 * user and issuer, so two first payments at once make one gateway customer.
 */
import { PaymentGatewayErrors, type PaymentAccount, type PaymentGateway, type UsersService } from '@hostplane/sdk';
import type { BillingStore } from './store.js';

/** The customer's reference at the gateway, or null when it has none yet. */
export async function knownGatewayCustomer(
  store: BillingStore,
  gateway: string,
  issuer: string,
  userId: string,
): Promise<string | null> {
  const row = await store.db.table('gateway_customers').where({ user_id: userId, issuer, gateway }).first('customer_ref');
  return (row?.customer_ref as string | undefined) ?? null;
}

/** The customer's reference at the gateway, made there first when needed. */
export async function gatewayCustomer(
  deps: { store: BillingStore; users: UsersService },
  gateway: PaymentGateway,
  account: PaymentAccount,
  issuer: string,
  userId: string,
): Promise<string> {
  const known = await knownGatewayCustomer(deps.store, gateway.id, issuer, userId);
  if (known) return known;
  const user = await deps.users.get(userId);
  if (!user) throw PaymentGatewayErrors.unsupported('a customer that no longer exists');
  const { customerId } = await gateway.createCustomer({
    account,
    email: user.email,
    name: user.name,
    reference: user.id,
    // The same key as Paying's: whichever comes first makes the one gateway customer.
    idempotencyKey: `customer:${user.id}:${issuer}`,
  });
  await deps.store.db
    .table('gateway_customers')
    .insert({ user_id: userId, issuer, gateway: gateway.id, customer_ref: customerId })
    .onConflict(['user_id', 'issuer', 'gateway'])
    .ignore();
  // A parallel first call may have stored another reference: the stored one wins.
  return (await knownGatewayCustomer(deps.store, gateway.id, issuer, userId)) ?? customerId;
}
