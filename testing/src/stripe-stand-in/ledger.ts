/**
 * One Stripe account's objects inside the stand-in (one ledger per secret key, so two issuers'
 * keys see two accounts): customers, payment methods, setup and payment intents, charges,
 * refunds, checkout sessions and the events they cause. Shapes follow Stripe's API reference;
 * fields the stand-in has no behaviour for carry Stripe's defaults (mostly null).
 */
import { TEST_CARDS, type TestCard } from './cards.js';
import { Disputes } from './disputes.js';
import { invalid, missing, StandInError } from './errors.js';
import { newId } from './ids.js';
import type { FormObject, FormValue } from './form.js';

export { newId };

export type StripeObject = { id: string; object: string } & Record<string, unknown>;
type Meta = Record<string, string>;

export interface StandInEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** What the ledger needs from the server around it. */
export interface LedgerHost {
  /** Base URL of the stand-in's hosted pages (checkout, 3-D Secure). */
  baseUrl(): string;
  /** `previous`: the changed fields' earlier values (`data.previous_attributes` of `*.updated` events). */
  emit(ledger: Ledger, type: string, object: StripeObject, previous?: Record<string, unknown>): void;
  now(): number;
}

const str = (v: FormValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: FormValue | undefined): FormObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const list = (v: FormValue | undefined): FormValue[] => (Array.isArray(v) ? v : []);
const bool = (v: FormValue | undefined): boolean => v === 'true';

function metadata(v: FormValue | undefined, param = 'metadata'): Meta {
  const out: Meta = {};
  const entries = Object.entries(obj(v));
  if (entries.length > 50) throw invalid('Metadata can have up to 50 keys', param);
  for (const [k, value] of entries) {
    if (typeof value !== 'string') throw invalid(`Invalid metadata value for ${k}`, `${param}[${k}]`);
    if (k.length > 40 || value.length > 500) throw invalid('Metadata keys up to 40 and values up to 500 characters', param);
    out[k] = value;
  }
  return out;
}

/** Cards only: the stand-in has no other payment method. */
function allowedTypes(p: FormObject): string[] | null {
  const types = list(p.allowed_payment_method_types ?? p.payment_method_types);
  if (!types.length) return null;
  if (types.some((t) => t !== 'card')) throw invalid('The stand-in serves card payments only', 'allowed_payment_method_types');
  return ['card'];
}

function amountOf(v: FormValue | undefined, param = 'amount'): number {
  const text = str(v);
  if (text === undefined) throw invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
  if (!/^\d{1,12}$/.test(text) || Number(text) < 1) throw invalid('Invalid positive integer', param, 'parameter_invalid_integer');
  return Number(text);
}

function currencyOf(v: FormValue | undefined, param = 'currency'): string {
  const text = str(v);
  if (text === undefined) throw invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
  if (!/^[a-z]{3}$/.test(text)) throw invalid(`Invalid currency: ${text}`, param);
  return text;
}

export class Ledger {
  readonly customers = new Map<string, StripeObject>();
  readonly paymentMethods = new Map<string, StripeObject>();
  readonly paymentIntents = new Map<string, StripeObject>();
  readonly setupIntents = new Map<string, StripeObject>();
  readonly charges = new Map<string, StripeObject>();
  readonly refunds = new Map<string, StripeObject>();
  readonly sessions = new Map<string, StripeObject>();
  readonly events: StandInEvent[] = [];
  /** Disputes of this account's charges (opened, moved and closed by tests: see disputes.ts). */
  readonly disputes: Disputes = new Disputes({
    charges: this.charges,
    paymentIntents: this.paymentIntents,
    emit: (type, object, previous) => this.host.emit(this, type, object, previous),
    now: () => this.host.now(),
  });
  /** Card behaviour of each payment method this ledger made. */
  private readonly cards = new Map<string, TestCard>();

  constructor(
    readonly apiKey: string,
    private readonly host: LedgerHost,
  ) {}

  private base(prefix: string, object: string): StripeObject {
    return { id: newId(prefix), object, created: this.host.now(), livemode: false };
  }

  // --- customers -----------------------------------------------------------------------------

  createCustomer(p: FormObject): StripeObject {
    const customer: StripeObject = {
      ...this.base('cus', 'customer'),
      address: null,
      balance: 0,
      currency: null,
      default_source: null,
      delinquent: false,
      description: str(p.description) ?? null,
      discount: null,
      email: str(p.email) ?? null,
      invoice_prefix: newId('', 8).slice(1).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      metadata: metadata(p.metadata),
      name: str(p.name) ?? null,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
    this.customers.set(customer.id, customer);
    this.host.emit(this, 'customer.created', customer);
    return customer;
  }

  customer(id: string, param = 'id'): StripeObject {
    const found = this.customers.get(id);
    if (!found) throw missing('customer', id, param);
    return found;
  }

  // --- payment methods -----------------------------------------------------------------------

  /** A new card payment method from a `pm_card_*` token, or an existing payment method. */
  resolvePaymentMethod(idOrToken: string, param = 'payment_method'): StripeObject {
    const existing = this.paymentMethods.get(idOrToken);
    if (existing) return existing;
    const card = TEST_CARDS[idOrToken];
    if (!card) throw missing('PaymentMethod', idOrToken, param);
    return this.cardPaymentMethod(card);
  }

  cardPaymentMethod(card: TestCard): StripeObject {
    const year = new Date(this.host.now() * 1000).getUTCFullYear() + 3;
    const pm: StripeObject = {
      ...this.base('pm', 'payment_method'),
      allow_redisplay: 'unspecified',
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: null,
        name: null,
        phone: null,
      },
      card: {
        brand: card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'unchecked' },
        country: 'US',
        display_brand: card.brand,
        exp_month: 12,
        exp_year: year,
        fingerprint: card.number.slice(-8).split('').reverse().join('') + 'Fp',
        funding: 'credit',
        generated_from: null,
        last4: card.number.slice(-4),
        networks: { available: [card.brand], preferred: null },
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      customer: null,
      metadata: {},
      type: 'card',
    };
    this.paymentMethods.set(pm.id, pm);
    this.cards.set(pm.id, card);
    return pm;
  }

  cardOf(pm: StripeObject): TestCard {
    return this.cards.get(pm.id)!;
  }

  attach(idOrToken: string, customerId: string): StripeObject {
    const customer = this.customer(customerId, 'customer');
    const pm = this.resolvePaymentMethod(idOrToken, 'payment_method');
    if (pm.customer && pm.customer !== customer.id)
      throw invalid('The payment method you provided has already been attached to a customer.', 'payment_method');
    const decline = this.cardOf(pm).attachDecline;
    if (decline) throw declined(decline, pm.id);
    if (!pm.customer) {
      pm.customer = customer.id;
      this.host.emit(this, 'payment_method.attached', pm);
    }
    return pm;
  }

  /**
   * `POST /v1/customers/:id`: only `invoice_settings[default_payment_method]` is served (empty:
   * no default), and only with a method attached to this customer, as Stripe checks.
   */
  updateCustomer(customerId: string, p: FormObject): StripeObject {
    const customer = this.customer(customerId);
    const settings = obj(p.invoice_settings);
    if ('default_payment_method' in settings) {
      const id = str(settings.default_payment_method);
      if (id) {
        const pm = this.paymentMethods.get(id);
        if (!pm || pm.customer !== customer.id)
          throw invalid(
            `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
            'invoice_settings[default_payment_method]',
          );
      }
      (customer.invoice_settings as Record<string, unknown>).default_payment_method = id || null;
      this.host.emit(this, 'customer.updated', customer);
    }
    return customer;
  }

  /** `POST /v1/payment_methods/:id/detach`: the method leaves its customer (and stops being its default). */
  detach(id: string): StripeObject {
    const pm = this.paymentMethods.get(id);
    if (!pm) throw missing('PaymentMethod', id, 'payment_method');
    if (!pm.customer) throw invalid('The payment method you provided is not attached to a customer so detachment is impossible.');
    const customer = this.customers.get(pm.customer as string);
    const settings = customer?.invoice_settings as Record<string, unknown> | undefined;
    if (settings?.default_payment_method === pm.id) settings.default_payment_method = null;
    pm.customer = null;
    this.host.emit(this, 'payment_method.detached', pm);
    return pm;
  }

  customerPaymentMethods(customerId: string): StripeObject[] {
    this.customer(customerId, 'customer');
    return [...this.paymentMethods.values()]
      .filter((pm) => pm.customer === customerId)
      .sort((a, b) => (b.created as number) - (a.created as number));
  }

  // --- setup intents ------------------------------------------------------------------------

  createSetupIntent(p: FormObject): StripeObject {
    const customerId = str(p.customer);
    if (customerId) this.customer(customerId, 'customer');
    const si: StripeObject = {
      ...this.base('seti', 'setup_intent'),
      application: null,
      automatic_payment_methods: null,
      cancellation_reason: null,
      client_secret: '',
      customer: customerId ?? null,
      description: str(p.description) ?? null,
      flow_directions: null,
      last_setup_error: null,
      latest_attempt: null,
      mandate: null,
      metadata: metadata(p.metadata),
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
      payment_method_types: ['card'],
      single_use_mandate: null,
      status: 'requires_payment_method',
      usage: str(p.usage) ?? 'off_session',
    };
    si.client_secret = `${si.id}_secret_${newId('', 16).slice(1)}`;
    const pmId = str(p.payment_method);
    if (pmId) {
      const pm = this.resolvePaymentMethod(pmId);
      si.payment_method = pm.id;
      si.status = 'requires_confirmation';
    }
    this.setupIntents.set(si.id, si);
    this.host.emit(this, 'setup_intent.created', si);
    if (bool(p.confirm)) this.confirmSetupIntent(si);
    return si;
  }

  confirmSetupIntent(si: StripeObject): void {
    if (!si.payment_method) throw invalid('You must provide a payment_method to confirm this SetupIntent.', 'payment_method');
    const pm = this.paymentMethods.get(si.payment_method as string)!;
    const decline = this.cardOf(pm).attachDecline;
    if (decline) {
      si.status = 'requires_payment_method';
      si.last_setup_error = {
        code: 'card_declined',
        decline_code: decline,
        type: 'card_error',
        message: 'Your card was declined.',
      };
      this.host.emit(this, 'setup_intent.setup_failed', si);
      throw declined(decline, pm.id, { setup_intent: si });
    }
    if (si.customer) this.attach(pm.id, si.customer as string);
    si.status = 'succeeded';
    this.host.emit(this, 'setup_intent.succeeded', si);
  }

  setupIntent(id: string): StripeObject {
    const found = this.setupIntents.get(id);
    if (!found) throw missing('setup_intent', id, 'intent');
    return found;
  }

  // --- payment intents ----------------------------------------------------------------------

  createPaymentIntent(p: FormObject): StripeObject {
    const amount = amountOf(p.amount);
    const currency = currencyOf(p.currency);
    const customerId = str(p.customer);
    if (customerId) this.customer(customerId, 'customer');
    if (bool(p.off_session) && !bool(p.confirm)) throw invalid('off_session can only be used when confirm=true', 'off_session');
    const pi: StripeObject = {
      ...this.base('pi', 'payment_intent'),
      allowed_payment_method_types: allowedTypes(p),
      amount,
      amount_capturable: 0,
      amount_details: { tip: {} },
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic',
      client_secret: '',
      confirmation_method: 'automatic',
      currency,
      customer: customerId ?? null,
      customer_account: null,
      description: str(p.description) ?? null,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      metadata: metadata(p.metadata),
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: {
        card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
      },
      payment_method_types: ['card'],
      processing: null,
      receipt_email: null,
      review: null,
      setup_future_usage: str(p.setup_future_usage) ?? null,
      shipping: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: 'requires_payment_method',
      transfer_data: null,
      transfer_group: null,
    };
    pi.client_secret = `${pi.id}_secret_${newId('', 16).slice(1)}`;
    const pmId = str(p.payment_method);
    if (pmId) {
      const pm = this.resolvePaymentMethod(pmId);
      if (customerId && pm.customer && pm.customer !== customerId)
        throw invalid('The provided PaymentMethod belongs to another customer.', 'payment_method');
      pi.payment_method = pm.id;
      pi.status = 'requires_confirmation';
    }
    this.paymentIntents.set(pi.id, pi);
    this.host.emit(this, 'payment_intent.created', pi);
    if (bool(p.confirm)) this.confirmPaymentIntent(pi, p);
    return pi;
  }

  paymentIntent(id: string, param = 'intent'): StripeObject {
    const found = this.paymentIntents.get(id);
    if (!found) throw missing('payment_intent', id, param);
    return found;
  }

  /**
   * Confirm: charge the method. A declining card leaves the intent `requires_payment_method`
   * and answers 402; a card that always needs 3-D Secure answers 402 `authentication_required`
   * off-session, and `requires_action` with a redirect to the stand-in's 3-D Secure page
   * on-session (Stripe's `redirect_to_url` next action when a `return_url` is given).
   */
  confirmPaymentIntent(pi: StripeObject, p: FormObject): StripeObject {
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status as string)) {
      throw invalid(
        `This PaymentIntent's status is ${String(pi.status)}, so it cannot be confirmed.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const pmId = str(p.payment_method);
    if (pmId) pi.payment_method = this.resolvePaymentMethod(pmId).id;
    if (!pi.payment_method) throw invalid('You must provide a payment_method to confirm this PaymentIntent.', 'payment_method');
    const pm = this.paymentMethods.get(pi.payment_method as string)!;
    const card = this.cardOf(pm);
    if (card.chargeDecline) {
      this.fail(pi, pm, 'card_declined', 'Your card was declined.', card.chargeDecline);
      throw declined(card.chargeDecline, pm.id, { payment_intent: pi });
    }
    if (card.alwaysAuthenticate) {
      if (bool(p.off_session)) {
        this.fail(pi, pm, 'authentication_required', 'Your card was declined. This transaction requires authentication.');
        throw new StandInError(402, 'card_error', 'Your card was declined. This transaction requires authentication.', {
          code: 'authentication_required',
          decline_code: 'authentication_required',
          doc_url: 'https://docs.stripe.com/error-codes/authentication-required',
          payment_intent: pi,
          payment_method: pm,
        });
      }
      const returnUrl = str(p.return_url);
      pi.status = 'requires_action';
      pi.last_payment_error = null;
      pi.next_action = returnUrl
        ? { type: 'redirect_to_url', redirect_to_url: { return_url: returnUrl, url: `${this.host.baseUrl()}/3ds/${pi.id}` } }
        : {
            type: 'use_stripe_sdk',
            use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `${this.host.baseUrl()}/3ds/${pi.id}` },
          };
      this.host.emit(this, 'payment_intent.requires_action', pi);
      return pi;
    }
    this.succeed(pi, pm);
    return pi;
  }

  /** The intent is paid: a succeeded charge, events, and a saved method when asked for. */
  succeed(pi: StripeObject, pm: StripeObject): void {
    const charge = this.charge(pi, pm, 'succeeded');
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.next_action = null;
    pi.last_payment_error = null;
    pi.latest_charge = charge.id;
    if (pi.setup_future_usage && pi.customer) this.attach(pm.id, pi.customer as string);
    this.host.emit(this, 'charge.succeeded', charge);
    this.host.emit(this, 'payment_intent.succeeded', pi);
  }

  fail(pi: StripeObject, pm: StripeObject, code: string, message: string, declineCode?: string): void {
    const charge = code === 'card_declined' ? this.charge(pi, pm, 'failed', declineCode) : null;
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    pi.last_payment_error = {
      code,
      ...(declineCode ? { decline_code: declineCode } : {}),
      message,
      payment_method: pm,
      type: 'card_error',
      ...(charge ? { charge: charge.id } : {}),
    };
    if (charge) {
      pi.latest_charge = charge.id;
      this.host.emit(this, 'charge.failed', charge);
    }
    this.host.emit(this, 'payment_intent.payment_failed', pi);
  }

  private charge(pi: StripeObject, pm: StripeObject, status: 'succeeded' | 'failed', declineCode?: string): StripeObject {
    const card = pm.card as Record<string, unknown>;
    const charge: StripeObject = {
      ...this.base('ch', 'charge'),
      amount: pi.amount,
      amount_captured: status === 'succeeded' ? pi.amount : 0,
      amount_refunded: 0,
      application_fee_amount: null,
      balance_transaction: status === 'succeeded' ? newId('txn') : null,
      billing_details: pm.billing_details,
      captured: status === 'succeeded',
      currency: pi.currency,
      customer: pi.customer,
      description: pi.description,
      disputed: false,
      failure_code: status === 'failed' ? 'card_declined' : null,
      failure_message: status === 'failed' ? 'Your card was declined.' : null,
      metadata: pi.metadata,
      outcome: {
        network_status: status === 'succeeded' ? 'approved_by_network' : 'declined_by_network',
        reason: declineCode ?? null,
        risk_level: 'normal',
        seller_message:
          status === 'succeeded' ? 'Payment complete.' : 'The bank did not return any further details with this decline.',
        type: status === 'succeeded' ? 'authorized' : 'issuer_declined',
      },
      paid: status === 'succeeded',
      payment_intent: pi.id,
      payment_method: pm.id,
      payment_method_details: {
        card: { brand: card.brand, country: card.country, exp_month: card.exp_month, exp_year: card.exp_year, last4: card.last4 },
        type: 'card',
      },
      receipt_url: null,
      refunded: false,
      status,
    };
    this.charges.set(charge.id, charge);
    return charge;
  }

  // --- refunds ------------------------------------------------------------------------------

  createRefund(p: FormObject): StripeObject {
    const piId = str(p.payment_intent);
    const chargeId = str(p.charge);
    if (!piId && !chargeId)
      throw invalid('One of the following params should be provided for this request: payment_intent or charge.');
    const pi = piId ? this.paymentIntent(piId, 'payment_intent') : undefined;
    const charge = chargeId
      ? this.charges.get(chargeId)
      : pi?.latest_charge
        ? this.charges.get(pi.latest_charge as string)
        : undefined;
    if (chargeId && !charge) throw missing('charge', chargeId, 'charge');
    if (!charge || charge.status !== 'succeeded')
      throw invalid(`This PaymentIntent (${piId}) does not have a successful charge to refund.`, 'payment_intent');
    const left = (charge.amount as number) - (charge.amount_refunded as number);
    if (left === 0) throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
    const amount = p.amount === undefined ? left : amountOf(p.amount);
    if (amount > left)
      throw invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        'amount',
        'amount_too_large',
      );
    const refund: StripeObject = {
      ...this.base('re', 'refund'),
      amount,
      balance_transaction: newId('txn'),
      charge: charge.id,
      currency: charge.currency,
      destination_details: {
        card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
        type: 'card',
      },
      metadata: metadata(p.metadata),
      payment_intent: charge.payment_intent,
      reason: str(p.reason) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.refunds.set(refund.id, refund);
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.host.emit(this, 'refund.created', refund);
    this.host.emit(this, 'charge.refunded', charge);
    return refund;
  }

  refund(id: string): StripeObject {
    const found = this.refunds.get(id);
    if (!found) throw missing('refund', id);
    return found;
  }

  // --- checkout sessions --------------------------------------------------------------------

  createCheckoutSession(p: FormObject): StripeObject {
    const mode = str(p.mode);
    if (mode !== 'payment' && mode !== 'setup')
      throw invalid('mode must be payment or setup (subscription is not served by the stand-in)', 'mode');
    const successUrl = str(p.success_url);
    if (!successUrl || !/^https?:\/\//.test(successUrl)) throw invalid('Missing required param: success_url.', 'success_url');
    const customerId = str(p.customer);
    if (customerId) this.customer(customerId, 'customer');
    let amount: number | null = null;
    let currency: string | null = str(p.currency) ?? null;
    const items = list(p.line_items).map((item, i) => {
      const line = obj(item);
      const price = obj(line.price_data);
      if (!Object.keys(price).length)
        throw invalid('Only line_items with price_data are served by the stand-in', `line_items[${i}][price_data]`);
      const unit = amountOf(price.unit_amount, `line_items[${i}][price_data][unit_amount]`);
      const cur = currencyOf(price.currency, `line_items[${i}][price_data][currency]`);
      const quantity = amountOf(line.quantity ?? '1', `line_items[${i}][quantity]`);
      const name = str(obj(price.product_data).name) ?? '';
      return { unit, cur, quantity, name };
    });
    if (mode === 'payment') {
      if (!items.length) throw invalid('line_items are required in payment mode.', 'line_items');
      currency = items[0]!.cur;
      if (items.some((x) => x.cur !== currency)) throw invalid('All line items must share one currency', 'line_items');
      amount = items.reduce((sum, x) => sum + x.unit * x.quantity, 0);
    } else if (items.length) throw invalid('line_items cannot be used in setup mode.', 'line_items');
    const intentData = obj(mode === 'payment' ? p.payment_intent_data : p.setup_intent_data);
    const session: StripeObject = {
      ...this.base('cs_test', 'checkout.session'),
      allowed_payment_method_types: allowedTypes(p),
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: str(p.cancel_url) ?? null,
      client_reference_id: str(p.client_reference_id) ?? null,
      currency,
      customer: customerId ?? null,
      customer_email: str(p.customer_email) ?? null,
      expires_at: this.host.now() + 24 * 3600,
      line_items_summary: items.map((x) => ({ description: x.name, amount_total: x.unit * x.quantity, quantity: x.quantity })),
      metadata: metadata(p.metadata),
      mode,
      payment_intent: null,
      payment_method_types: ['card'],
      payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
      setup_intent: null,
      status: 'open',
      success_url: successUrl,
      ui_mode: 'hosted',
      url: '',
      // What Checkout puts on the intent it makes when the customer completes the page.
      intent_data: {
        description: str(intentData.description) ?? null,
        metadata: metadata(
          intentData.metadata,
          mode === 'payment' ? 'payment_intent_data[metadata]' : 'setup_intent_data[metadata]',
        ),
        setup_future_usage: str(intentData.setup_future_usage) ?? null,
      },
    };
    session.url = `${this.host.baseUrl()}/checkout/${session.id}`;
    this.sessions.set(session.id, session);
    return session;
  }

  session(id: string): StripeObject {
    const found = this.sessions.get(id);
    if (!found) throw missing('checkout.session', id, 'session');
    return found;
  }

  /** What a session looks like through the API (without the stand-in's own bookkeeping). */
  static publicSession(session: StripeObject): StripeObject {
    const { intent_data: _i, line_items_summary: _l, ...rest } = session;
    return rest as StripeObject;
  }

  /** The customer completed the hosted page with this card (after 3-D Secure when it asks). */
  completeSession(session: StripeObject, card: TestCard): { ok: true } | { ok: false; message: string } {
    const data = session.intent_data as { description: string | null; metadata: Meta; setup_future_usage: string | null };
    const pm = this.cardPaymentMethod(card);
    if (session.mode === 'setup') {
      if (card.attachDecline) return { ok: false, message: 'Your card was declined.' };
      const si = this.createSetupIntent({
        ...(session.customer ? { customer: session.customer as string } : {}),
        payment_method: pm.id,
        metadata: data.metadata,
        usage: 'off_session',
      });
      this.confirmSetupIntent(si);
      session.setup_intent = si.id;
    } else {
      const pi = this.createPaymentIntent({
        amount: String(session.amount_total),
        currency: session.currency as string,
        ...(session.customer ? { customer: session.customer as string } : {}),
        ...(data.description ? { description: data.description } : {}),
        ...(data.setup_future_usage ? { setup_future_usage: data.setup_future_usage } : {}),
        metadata: data.metadata,
        payment_method: pm.id,
      });
      session.payment_intent = pi.id;
      if (card.chargeDecline) {
        this.fail(pi, pm, 'card_declined', 'Your card was declined.', card.chargeDecline);
        return { ok: false, message: 'Your card was declined.' };
      }
      this.succeed(pi, pm);
      session.payment_status = 'paid';
    }
    session.status = 'complete';
    this.host.emit(this, 'checkout.session.completed', Ledger.publicSession(session));
    return { ok: true };
  }
}

function declined(code: string, pmId: string, extra: Record<string, unknown> = {}): StandInError {
  const message = code === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.';
  return new StandInError(402, 'card_error', message, {
    code: 'card_declined',
    decline_code: code,
    doc_url: 'https://docs.stripe.com/error-codes/card-declined',
    payment_method: { id: pmId, object: 'payment_method' },
    ...extra,
  });
}
