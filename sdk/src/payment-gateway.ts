/**
 * The payment gateway extension point. The billing plugin owns invoices, their payments and
 * every rule about money; a gateway (`plugins/payment-stripe`, `plugins/payment-manual`, or a
 * third party's) moves money for one issuer's account and reports what happened.
 *
 * Rules every gateway follows (checked by the shared contract suite,
 * `paymentGatewayContract` in `@hostplane/testing`):
 * - amounts are integers in the currency's minor unit (cents), never floats; currencies are ISO
 *   4217 codes in upper case;
 * - every call that creates something takes an `idempotencyKey`: the same key again returns the
 *   first result and moves no money twice (billing derives keys from invoice and attempt ids);
 * - a declined card is a result (`status: 'failed'`), not an exception; exceptions are for bad
 *   input (4xx codes below) or an unreachable gateway (`PAYMENT_ERR_GATEWAY_UNAVAILABLE`);
 * - webhooks are verified on the raw body before anything is read from them, and normalised
 *   into a {@link PaymentEvent}; billing stores them by `id` and processes each once.
 */
import { defineError } from './errors.js';

/**
 * The issuer's own payment account: the platform's, or a reseller's (docs/decisions/0017: each
 * reseller brings its own keys). `secrets` come from the issuer's sealed settings and are never
 * logged.
 */
export interface PaymentAccount {
  /** The issuer (user id of the platform admin or the reseller). */
  issuerId: string;
  /** Gateway-specific keys, e.g. `{ secretKey, webhookSecrets }` for Stripe. */
  secrets: Record<string, string>;
}

/** Money in the currency's minor unit. */
export interface Money {
  /** Integer > 0, minor units (e.g. 1999 = 19.99 EUR). */
  amount: number;
  /** ISO 4217, upper case (`EUR`). */
  currency: string;
}

/** A saved way to pay (a card, a SEPA mandate). */
export interface SavedPaymentMethod {
  id: string;
  /** `card`, `sepa_debit`, `bank_transfer` … */
  kind: string;
  /** What a person recognises, e.g. `Visa •••• 4242, 12/2030`. */
  label: string;
  /**
   * The method automatic payments charge (Stripe: the customer's
   * `invoice_settings.default_payment_method`). Leave it out when the gateway has no notion of
   * a default: billing then treats the first listed method as the default.
   */
  isDefault?: boolean;
}

/** The outcome of a charge. */
export interface ChargeResult {
  /** The gateway's id of this payment (Stripe: the PaymentIntent id). */
  paymentId: string;
  /**
   * `succeeded`: money captured. `pending`: it will be decided later (a bank transfer, a
   * processing debit) and reported by a webhook or by hand. `requires_action`: the customer must
   * act (3-D Secure) at `actionUrl`. `failed`: declined; `failureCode` says why.
   */
  status: 'succeeded' | 'pending' | 'requires_action' | 'failed';
  amount: number;
  currency: string;
  actionUrl?: string;
  failureCode?: string;
  failureMessage?: string;
  /** For a pending manual payment: what the customer must write on the transfer. */
  instructions?: string;
}

/** The outcome of a refund. */
export interface RefundResult {
  refundId: string;
  status: 'succeeded' | 'pending' | 'failed';
  amount: number;
  currency: string;
}

/** A hosted page where the customer pays or saves a method (Stripe Checkout). */
export interface CheckoutSession {
  sessionId: string;
  url: string;
}

/** Kinds of normalised webhook events; `ignored` for everything billing has no use for. */
export type PaymentEventType =
  | 'payment.succeeded'
  | 'payment.failed'
  | 'refund.succeeded'
  | 'dispute.opened'
  | 'dispute.updated'
  | 'dispute.closed'
  | 'checkout.completed'
  | 'ignored';

/** A verified webhook event, normalised. */
export interface PaymentEvent {
  /** The gateway's event id: billing stores it once (duplicates are dropped). */
  id: string;
  type: PaymentEventType;
  /** The gateway's own type, e.g. `payment_intent.succeeded`. */
  gatewayType: string;
  occurredAt: Date;
  paymentId?: string;
  /** Billing's invoice id, carried in the payment's metadata. */
  invoiceId?: string;
  customerId?: string;
  amount?: number;
  currency?: string;
  /** On `dispute.*` events: the dispute (a chargeback or an inquiry) as the gateway states it now. */
  dispute?: PaymentDispute;
}

/**
 * A dispute of a payment as a gateway reports it. `status` keeps the gateway's word (Stripe:
 * `warning_needs_response`, `needs_response`, `under_review`, `won`, `lost`, `warning_closed` …);
 * `outcome` is what billing acts on: `open` while undecided, `won` (the money stays), `lost`
 * (the money is gone: the payment is reversed), `closed` (an inquiry closed without a chargeback).
 */
export interface PaymentDispute {
  id: string;
  status: string;
  outcome: 'open' | 'won' | 'lost' | 'closed';
  /** The gateway's reason code, e.g. `fraudulent`, `product_not_received`. */
  reason?: string;
  /** When the seller must answer by, if the gateway says. */
  evidenceDueBy?: Date;
}

/** A payment gateway driver, registered with `ctx.extend(extensionPoints.paymentGateway, …)`. */
export interface PaymentGateway {
  /** Stable id, e.g. `stripe`, `manual`: stored with every payment. */
  readonly id: string;
  /** What people see, e.g. `Card (Stripe)`, `Bank transfer`. */
  readonly displayName: string;
  readonly capabilities: {
    /** Charges saved methods without the customer present (automatic payment, dunning retries). */
    offSession: boolean;
    /** Has hosted checkout pages ({@link PaymentGateway.createCheckout}). */
    hostedCheckout: boolean;
    /** Refunds move money back through the gateway (else they are recorded by hand). */
    refunds: boolean;
    /** Sends webhooks ({@link PaymentGateway.parseWebhook}). */
    webhooks: boolean;
  };
  /**
   * Whether `account` can take payments now (e.g. its keys are set), without calling out.
   * Billing offers a gateway to an invoice's customer only when this is true; leave it out when
   * every account can (a bank transfer).
   */
  accepts?(account: PaymentAccount): boolean;
  /** Make (or, by `idempotencyKey`, find) the gateway's customer for a billing customer. */
  createCustomer(input: {
    account: PaymentAccount;
    email: string;
    name: string;
    /** Billing's customer (user) id, stored in the gateway's metadata. */
    reference: string;
    idempotencyKey: string;
  }): Promise<{ customerId: string }>;
  /**
   * Methods the customer saved, the default first: a charge without `paymentMethodId`, and
   * billing's automatic payments, use the first one.
   */
  listPaymentMethods(input: { account: PaymentAccount; customerId: string }): Promise<SavedPaymentMethod[]>;
  /** A hosted page to pay an amount (`payment`) or save a method (`setup`). */
  createCheckout?(input: {
    account: PaymentAccount;
    customerId: string;
    mode: 'payment' | 'setup';
    /** Required in `payment` mode. */
    money?: Money;
    invoiceId?: string;
    description?: string;
    successUrl: string;
    cancelUrl: string;
    idempotencyKey: string;
  }): Promise<CheckoutSession>;
  /**
   * Make a saved method the one automatic payments charge. Billing calls it only with a method
   * the same customer's {@link PaymentGateway.listPaymentMethods} returned. Leave it out when
   * the gateway keeps no default (billing then refuses with `PAYMENT_ERR_UNSUPPORTED`).
   */
  setDefaultPaymentMethod?(input: { account: PaymentAccount; customerId: string; paymentMethodId: string }): Promise<void>;
  /**
   * Forget a saved method (Stripe: detach it from the customer); it is never charged again.
   * Billing calls it only with a method the same customer's list returned. Removing the
   * default leaves the next listed method as the default, or none.
   */
  removePaymentMethod?(input: { account: PaymentAccount; customerId: string; paymentMethodId: string }): Promise<void>;
  /** Charge `money` for `invoiceId`, off-session with a saved method when one is given. */
  charge(input: {
    account: PaymentAccount;
    customerId: string;
    paymentMethodId?: string;
    money: Money;
    invoiceId: string;
    description: string;
    idempotencyKey: string;
  }): Promise<ChargeResult>;
  /** Give back part or all of a payment. */
  refund(input: { account: PaymentAccount; paymentId: string; money: Money; idempotencyKey: string }): Promise<RefundResult>;
  /**
   * Verify a webhook on its raw body and normalise it. Throws `PAYMENT_ERR_WEBHOOK_SIGNATURE`
   * (400) for a wrong, missing or stale signature; nothing must be stored then.
   */
  parseWebhook?(input: {
    account: PaymentAccount;
    rawBody: Buffer;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<PaymentEvent>;
}

/** Error codes every gateway uses for the same failures. */
export const PaymentGatewayErrors = {
  amountInvalid: defineError('PAYMENT_ERR_AMOUNT_INVALID', 400, (reason: string) => `Invalid amount: ${reason}`),
  currencyInvalid: defineError(
    'PAYMENT_ERR_CURRENCY_INVALID',
    400,
    (currency: string) => `"${currency}" is not an ISO 4217 currency code`,
  ),
  refundExceedsPayment: defineError(
    'PAYMENT_ERR_REFUND_EXCEEDS_PAYMENT',
    400,
    (refundable: number) => `A refund cannot exceed what is left of the payment (${refundable} minor units)`,
    (refundable: number) => ({ refundable }),
  ),
  paymentNotFound: defineError('PAYMENT_ERR_PAYMENT_NOT_FOUND', 404, (id: string) => `No payment ${id} at the gateway`),
  webhookSignature: defineError('PAYMENT_ERR_WEBHOOK_SIGNATURE', 400, (reason: string) => `Webhook rejected: ${reason}`),
  unsupported: defineError('PAYMENT_ERR_UNSUPPORTED', 400, (what: string) => `This payment method does not support ${what}`),
  unavailable: defineError(
    'PAYMENT_ERR_GATEWAY_UNAVAILABLE',
    503,
    (reason: string) => `The payment gateway is unavailable: ${reason}`,
  ),
} as const;

/** Throws unless `money` is a positive integer amount in an upper-case three-letter currency. */
export function assertMoney(money: Money): void {
  if (!Number.isSafeInteger(money?.amount) || money.amount <= 0) {
    throw PaymentGatewayErrors.amountInvalid('it must be a whole number of minor units above 0');
  }
  if (typeof money.currency !== 'string' || !/^[A-Z]{3}$/.test(money.currency)) {
    throw PaymentGatewayErrors.currencyInvalid(String(money.currency));
  }
}
