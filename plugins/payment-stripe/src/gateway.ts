/**
 * Stripe as a `PaymentGateway`, through the official `stripe` client. Every create carries the
 * caller's idempotency key (Stripe keeps keys 24 hours: same key and parameters answer the first
 * result; billing also remembers what it made, so nothing depends on a key older than that).
 *
 * Automatic payment charges a saved card off-session. A card that needs 3-D Secure is declined
 * off-session (`authentication_required`); the same PaymentIntent is then confirmed on-session
 * with a `return_url`, and the customer gets its 3-D Secure address as `actionUrl`: finishing
 * there pays that one intent, so the invoice cannot be paid twice by the retry.
 */
import {
  PaymentGatewayErrors,
  assertMoney,
  type ChargeResult,
  type CheckoutSession,
  type PaymentAccount,
  type PaymentEvent,
  type PaymentGateway,
  type RefundResult,
  type SavedPaymentMethod,
} from '@hostplane/sdk';
import type Stripe from 'stripe';
import { StripeClients, stripeErrors } from './client.js';
import { StripeErrors } from './errors.js';
import { normalise, verify } from './webhook.js';

/** The settings the gateway reads on each call (the plugin's config may change while it runs). */
export interface StripeSettings {
  /** The platform's account (issuer `platform`). */
  secretKey: string;
  webhookSecret: string;
  previousWebhookSecret: string;
  returnUrl: string;
  apiBase: string;
}

/** The issuer whose account the plugin's own config holds. */
export const PLATFORM_ISSUER = 'platform';

interface Keys {
  secretKey: string;
  webhookSecrets: string[];
}

type Method<K extends keyof PaymentGateway> = NonNullable<PaymentGateway[K]>;
type Input<K extends keyof PaymentGateway> = Method<K> extends (input: infer I) => unknown ? I : never;

const lower = (currency: string): string => currency.toLowerCase();

/** The return address with `{invoiceId}` filled (encoded): the customer comes back to that invoice. */
export function returnUrlFor(template: string, invoiceId: string): string {
  return template.replaceAll('{invoiceId}', encodeURIComponent(invoiceId));
}

export class StripeGateway implements PaymentGateway {
  readonly id = 'stripe';
  readonly displayName = 'Card (Stripe)';
  readonly capabilities = { offSession: true, hostedCheckout: true, refunds: true, webhooks: true };
  private readonly clients: StripeClients;

  constructor(private readonly settings: () => StripeSettings) {
    this.clients = new StripeClients(() => this.settings().apiBase);
  }

  /**
   * The issuer's keys: those billing hands over for a reseller (`secrets.secretKey`,
   * `secrets.webhookSecret`, `secrets.previousWebhookSecret`), else the platform's own from the
   * config, for the platform only: a reseller's customers never pay into the platform's account.
   */
  keys(account: PaymentAccount): Keys {
    const s = account.secrets ?? {};
    const own = s.secretKey
      ? { secretKey: s.secretKey, webhookSecret: s.webhookSecret ?? '', previous: s.previousWebhookSecret ?? '' }
      : account.issuerId === PLATFORM_ISSUER
        ? {
            secretKey: this.settings().secretKey,
            webhookSecret: this.settings().webhookSecret,
            previous: this.settings().previousWebhookSecret,
          }
        : null;
    if (!own?.secretKey) throw StripeErrors.notConfigured(account.issuerId);
    return { secretKey: own.secretKey, webhookSecrets: [own.webhookSecret, own.previous].filter(Boolean) };
  }

  /** A reseller without keys of its own (or a platform without them) takes no card payments. */
  accepts(account: PaymentAccount): boolean {
    try {
      this.keys(account);
      return true;
    } catch {
      return false;
    }
  }

  private client(account: PaymentAccount): Promise<Stripe> {
    return this.clients.get(this.keys(account).secretKey);
  }

  async createCustomer(input: Input<'createCustomer'>): Promise<{ customerId: string }> {
    const stripe = await this.client(input.account);
    const customer = await call(input.idempotencyKey, () =>
      stripe.customers.create(
        {
          email: input.email,
          name: input.name,
          metadata: { hostplane_user: input.reference, hostplane_issuer: input.account.issuerId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { customerId: customer.id };
  }

  /** The customer's cards, its default (`invoice_settings.default_payment_method`) first, then newest first. */
  async listPaymentMethods(input: Input<'listPaymentMethods'>): Promise<SavedPaymentMethod[]> {
    const stripe = await this.client(input.account);
    const [list, customer] = await Promise.all([
      call('', () => stripe.customers.listPaymentMethods(input.customerId, { limit: 100 })),
      call('', () => stripe.customers.retrieve(input.customerId)),
    ]);
    const chosen = customer.deleted ? null : customer.invoice_settings?.default_payment_method;
    const defaultId = typeof chosen === 'string' ? chosen : (chosen?.id ?? null);
    const methods = list.data.map((pm) => ({ id: pm.id, kind: pm.type, label: labelOf(pm), isDefault: pm.id === defaultId }));
    // A stable sort: the default moves to the front, the others keep Stripe's order.
    return methods.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  }

  async setDefaultPaymentMethod(input: Input<'setDefaultPaymentMethod'>): Promise<void> {
    const stripe = await this.client(input.account);
    await call('', () =>
      stripe.customers.update(input.customerId, { invoice_settings: { default_payment_method: input.paymentMethodId } }),
    );
  }

  /** Detach the card from the customer: Stripe never charges it again (and drops it as default). */
  async removePaymentMethod(input: Input<'removePaymentMethod'>): Promise<void> {
    const stripe = await this.client(input.account);
    await call('', () => stripe.paymentMethods.detach(input.paymentMethodId));
  }

  async createCheckout(input: Input<'createCheckout'>): Promise<CheckoutSession> {
    const stripe = await this.client(input.account);
    const metadata = { invoice_id: input.invoiceId ?? '', hostplane_issuer: input.account.issuerId };
    let params: Stripe.Checkout.SessionCreateParams;
    if (input.mode === 'payment') {
      if (!input.money) throw PaymentGatewayErrors.amountInvalid('payment mode needs an amount');
      assertMoney(input.money);
      params = {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: lower(input.money.currency),
              unit_amount: input.money.amount,
              product_data: { name: input.description || 'Invoice' },
            },
          },
        ],
        // The card is kept for the next invoices (automatic payment); Checkout tells the customer so.
        payment_intent_data: {
          metadata,
          setup_future_usage: 'off_session',
          ...(input.description ? { description: input.description } : {}),
        },
      };
    } else {
      params = { mode: 'setup', setup_intent_data: { metadata } };
    }
    const session = await call(input.idempotencyKey, () =>
      stripe.checkout.sessions.create(
        {
          ...params,
          customer: input.customerId,
          allowed_payment_method_types: ['card'],
          metadata,
          ...(input.invoiceId ? { client_reference_id: input.invoiceId } : {}),
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (!session.url) throw PaymentGatewayErrors.unavailable('Stripe returned a checkout session without an address');
    return { sessionId: session.id, url: session.url };
  }

  async charge(input: Input<'charge'>): Promise<ChargeResult> {
    assertMoney(input.money);
    const stripe = await this.client(input.account);
    const paymentMethod = input.paymentMethodId ?? (await this.listPaymentMethods(input))[0]?.id;
    const money = { amount: input.money.amount, currency: input.money.currency };
    if (!paymentMethod) {
      // Nothing saved: the customer pays on a Checkout page (and the card is kept from then on).
      const returnUrl = returnUrlFor(this.settings().returnUrl, input.invoiceId);
      const session = await this.createCheckout({
        account: input.account,
        customerId: input.customerId,
        mode: 'payment',
        money,
        invoiceId: input.invoiceId,
        description: input.description,
        successUrl: returnUrl,
        cancelUrl: returnUrl,
        idempotencyKey: `${input.idempotencyKey}:checkout`,
      });
      return { paymentId: session.sessionId, status: 'requires_action', actionUrl: session.url, ...money };
    }
    try {
      const pi = await call(
        input.idempotencyKey,
        () =>
          stripe.paymentIntents.create(
            {
              amount: input.money.amount,
              currency: lower(input.money.currency),
              customer: input.customerId,
              payment_method: paymentMethod,
              allowed_payment_method_types: ['card'],
              off_session: true,
              confirm: true,
              description: input.description,
              metadata: { invoice_id: input.invoiceId, hostplane_issuer: input.account.issuerId },
            },
            { idempotencyKey: input.idempotencyKey },
          ),
        true,
      );
      return resultOf(pi);
    } catch (err) {
      if (!(err instanceof stripeErrors().StripeCardError)) throw mapError(err, input.idempotencyKey);
      const pi = err.payment_intent;
      if (err.code === 'authentication_required' && pi) {
        // The bank wants the customer: confirm the same intent on-session, for a 3-D Secure link.
        const again = await call(`${input.idempotencyKey}:authenticate`, () =>
          stripe.paymentIntents.confirm(
            pi.id,
            { payment_method: paymentMethod, return_url: returnUrlFor(this.settings().returnUrl, input.invoiceId) },
            { idempotencyKey: `${input.idempotencyKey}:authenticate` },
          ),
        );
        return resultOf(again);
      }
      return {
        paymentId: pi?.id ?? '',
        status: 'failed',
        ...money,
        failureCode: err.decline_code ?? err.code ?? 'card_declined',
        failureMessage: err.message,
      };
    }
  }

  async refund(input: Input<'refund'>): Promise<RefundResult> {
    assertMoney(input.money);
    const stripe = await this.client(input.account);
    const pi = await this.paymentIntent(stripe, input.paymentId);
    if (pi.currency !== lower(input.money.currency)) throw PaymentGatewayErrors.currencyInvalid(input.money.currency);
    try {
      const refund = await call(
        input.idempotencyKey,
        () =>
          stripe.refunds.create(
            { payment_intent: pi.id, amount: input.money.amount, metadata: { invoice_id: pi.metadata?.invoice_id ?? '' } },
            { idempotencyKey: input.idempotencyKey },
          ),
        true,
      );
      const status =
        refund.status === 'succeeded'
          ? 'succeeded'
          : refund.status === 'failed' || refund.status === 'canceled'
            ? 'failed'
            : 'pending';
      return { refundId: refund.id, status, amount: refund.amount, currency: refund.currency.toUpperCase() };
    } catch (err) {
      if (
        err instanceof stripeErrors().StripeInvalidRequestError &&
        (err.code === 'amount_too_large' || err.code === 'charge_already_refunded')
      ) {
        const fresh = await this.paymentIntent(stripe, pi.id);
        const charge = fresh.latest_charge as Stripe.Charge | null;
        throw PaymentGatewayErrors.refundExceedsPayment(charge ? charge.amount_captured - charge.amount_refunded : 0);
      }
      throw mapError(err, input.idempotencyKey);
    }
  }

  private async paymentIntent(stripe: Stripe, id: string): Promise<Stripe.PaymentIntent> {
    if (!/^pi_[A-Za-z0-9]{1,200}$/.test(id)) throw PaymentGatewayErrors.paymentNotFound(id);
    try {
      return await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });
    } catch (err) {
      if (err instanceof stripeErrors().StripeInvalidRequestError && err.code === 'resource_missing')
        throw PaymentGatewayErrors.paymentNotFound(id);
      throw mapError(err, '');
    }
  }

  async parseWebhook(input: Input<'parseWebhook'>): Promise<PaymentEvent> {
    const { webhookSecrets } = this.keys(input.account);
    return normalise(await verify(input.rawBody, input.headers, webhookSecrets));
  }
}

function resultOf(pi: Stripe.PaymentIntent): ChargeResult {
  const money = { paymentId: pi.id, amount: pi.amount, currency: pi.currency.toUpperCase() };
  switch (pi.status) {
    case 'succeeded':
      return { ...money, status: 'succeeded' };
    case 'processing':
      return { ...money, status: 'pending' };
    case 'requires_action': {
      const url = pi.next_action?.redirect_to_url?.url;
      return { ...money, status: 'requires_action', ...(url ? { actionUrl: url } : {}) };
    }
    default: {
      const error = pi.last_payment_error;
      return {
        ...money,
        status: 'failed',
        failureCode: error?.decline_code ?? error?.code ?? pi.status,
        ...(error?.message ? { failureMessage: error.message } : {}),
      };
    }
  }
}

function labelOf(pm: Stripe.PaymentMethod): string {
  if (pm.type === 'card' && pm.card) {
    const brand = pm.card.display_brand ?? pm.card.brand;
    const name = brand.charAt(0).toUpperCase() + brand.slice(1).replace(/_/g, ' ');
    return `${name} •••• ${pm.card.last4}, ${String(pm.card.exp_month).padStart(2, '0')}/${pm.card.exp_year}`;
  }
  return pm.type;
}

/** Run a Stripe call; Stripe's errors become the gateway's codes (card errors pass through when `cardErrors`). */
async function call<T>(idempotencyKey: string, fn: () => Promise<T>, cardErrors = false): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (cardErrors && err instanceof stripeErrors().StripeCardError) throw err;
    if (cardErrors && err instanceof stripeErrors().StripeInvalidRequestError) throw err;
    throw mapError(err, idempotencyKey);
  }
}

function mapError(err: unknown, idempotencyKey: string): Error {
  if (!(err instanceof stripeErrors().StripeError)) return err instanceof Error ? err : new Error(String(err));
  if (err instanceof stripeErrors().StripeIdempotencyError) return StripeErrors.idempotencyConflict(idempotencyKey);
  if (err instanceof stripeErrors().StripeInvalidRequestError) {
    if (err.code === 'resource_missing' && err.param === 'payment_intent')
      return PaymentGatewayErrors.paymentNotFound(idempotencyKey);
    return StripeErrors.rejected(err.message);
  }
  if (err instanceof stripeErrors().StripeCardError) return StripeErrors.rejected(err.message);
  // Authentication, permission, rate limit, connection and Stripe's own errors: not the caller's fault.
  return PaymentGatewayErrors.unavailable(`${err.type}: ${err.message}`);
}
