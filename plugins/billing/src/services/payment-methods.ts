/**
 * A customer's saved payment methods, kept at the gateways (billing stores no card data): the
 * methods of the customer's gateway customers at its seller's accounts. Adding one goes through
 * the gateway's hosted page in setup mode (Stripe Checkout); the default is the one automatic
 * payments and dunning retries charge. Everything acts on the caller's own methods: a method id
 * is found among them or is unknown (404), whoever else it belongs to.
 */
import { randomUUID } from 'node:crypto';
import { PaymentGatewayErrors, type AuditService, type PaymentGateway, type UsersService } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import { gatewayCustomer, knownGatewayCustomer } from './gateway-customers.js';
import type { AccountFor } from './payment-accounts.js';
import type { BillingStore } from './store.js';

export interface PaymentMethodView {
  id: string;
  gateway: string;
  kind: string;
  label: string;
  isDefault: boolean;
  /** The gateway can make it the default (and it is not already). */
  canMakeDefault: boolean;
  /** The gateway can remove it. */
  canRemove: boolean;
}

export interface PaymentMethodList {
  /** Whose account the methods pay into: `platform` or the seller's id. */
  issuer: string;
  items: PaymentMethodView[];
  /** The label of the method automatic payments charge, or null. */
  defaultLabel: string | null;
  /** Gateways a method can be added with now (hosted setup page, the seller's keys set). */
  canAdd: string[];
}

interface Source {
  ip?: string | null;
  requestId?: string | null;
}

export class PaymentMethods {
  constructor(
    private readonly deps: {
      store: BillingStore;
      users: UsersService;
      audit: AuditService;
      gateways: () => PaymentGateway[];
      accountFor: AccountFor;
      /** The customer's seller (`platform` or a reseller id). */
      issuerOf: (userId: string) => Promise<string>;
      /** Where the customer comes back to from the gateway's page (the panel's payment methods page). */
      returnUrl: () => string;
    },
  ) {}

  /** Gateways that keep methods to charge later and can take the issuer's payments now. */
  private async usable(issuer: string) {
    const out = [];
    for (const gateway of this.deps.gateways()) {
      if (!gateway.capabilities.offSession) continue;
      const account = await this.deps.accountFor(gateway.id, issuer);
      if (gateway.accepts && !gateway.accepts(account)) continue;
      out.push({ gateway, account });
    }
    return out;
  }

  async list(userId: string): Promise<PaymentMethodList> {
    const issuer = await this.deps.issuerOf(userId);
    const items: PaymentMethodView[] = [];
    const canAdd: string[] = [];
    for (const { gateway, account } of await this.usable(issuer)) {
      if (gateway.capabilities.hostedCheckout && gateway.createCheckout) canAdd.push(gateway.id);
      const customerId = await knownGatewayCustomer(this.deps.store, gateway.id, issuer, userId);
      if (!customerId) continue;
      const methods = await gateway.listPaymentMethods({ account, customerId });
      // Without an explicit default the first one is charged (the SDK's rule): show it so.
      const explicit = methods.some((m) => m.isDefault);
      methods.forEach((m, i) => {
        const isDefault = explicit ? !!m.isDefault : i === 0;
        items.push({
          id: m.id,
          gateway: gateway.id,
          kind: m.kind,
          label: m.label,
          isDefault,
          canMakeDefault: !isDefault && !!gateway.setDefaultPaymentMethod,
          canRemove: !!gateway.removePaymentMethod,
        });
      });
    }
    return { issuer, items, defaultLabel: items.find((m) => m.isDefault)?.label ?? null, canAdd };
  }

  /** Start adding a method: the address of the gateway's hosted page to send the customer to. */
  async add(userId: string, gatewayId: string): Promise<{ gateway: string; sessionId: string; url: string }> {
    const issuer = await this.deps.issuerOf(userId);
    const found = (await this.usable(issuer)).find((u) => u.gateway.id === gatewayId);
    if (!found?.gateway.capabilities.hostedCheckout || !found.gateway.createCheckout)
      throw BillingErrors.gatewayUnknown(gatewayId);
    const { gateway, account } = found;
    const customerId = await gatewayCustomer(this.deps, gateway, account, issuer, userId);
    const url = this.deps.returnUrl();
    const session = await gateway.createCheckout!({
      account,
      customerId,
      mode: 'setup',
      successUrl: url,
      cancelUrl: url,
      // A new page each time (a completed one cannot be used again); setting up moves no money.
      idempotencyKey: `setup:${userId}:${issuer}:${randomUUID()}`,
    });
    return { gateway: gateway.id, sessionId: session.sessionId, url: session.url };
  }

  /** Make one of the caller's methods the default; answers the list after. */
  async setDefault(userId: string, id: string, source: Source): Promise<PaymentMethodList> {
    const { gateway, account, customerId, method, issuer } = await this.find(userId, id);
    if (!gateway.setDefaultPaymentMethod) throw PaymentGatewayErrors.unsupported('choosing a default payment method');
    await gateway.setDefaultPaymentMethod({ account, customerId, paymentMethodId: method.id });
    await this.record('billing.payment_method.default_set', userId, issuer, gateway.id, method, source);
    return this.list(userId);
  }

  async remove(userId: string, id: string, source: Source): Promise<void> {
    const { gateway, account, customerId, method, issuer } = await this.find(userId, id);
    if (!gateway.removePaymentMethod) throw PaymentGatewayErrors.unsupported('removing a saved payment method');
    await gateway.removePaymentMethod({ account, customerId, paymentMethodId: method.id });
    await this.record('billing.payment_method.removed', userId, issuer, gateway.id, method, source);
  }

  /** One of the caller's own methods (looked up at the gateways), or 404. */
  private async find(userId: string, id: string) {
    const issuer = await this.deps.issuerOf(userId);
    for (const { gateway, account } of await this.usable(issuer)) {
      const customerId = await knownGatewayCustomer(this.deps.store, gateway.id, issuer, userId);
      if (!customerId) continue;
      const method = (await gateway.listPaymentMethods({ account, customerId })).find((m) => m.id === id);
      if (method) return { gateway, account, customerId, method, issuer };
    }
    throw BillingErrors.paymentMethodNotFound(id);
  }

  // The gateway holds the method, so the audit entry follows its change (there is no local row to commit with).
  private async record(
    action: string,
    userId: string,
    issuer: string,
    gateway: string,
    method: { id: string; label: string },
    source: Source,
  ): Promise<void> {
    await this.deps.audit.record({
      action,
      actorId: userId,
      target: { type: 'payment_method', id: method.id },
      details: { gateway, issuer, label: method.label },
      ip: source.ip ?? null,
      requestId: source.requestId ?? null,
    });
  }
}
