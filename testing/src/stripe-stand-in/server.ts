/**
 * A local stand-in for the part of Stripe's API that Hostplane's Stripe gateway uses, so the
 * official `stripe` client can be pointed at it (`host`, `port`, `protocol: 'http'`) on machines
 * that cannot reach Stripe. Its limits are in docs/decisions/0036-stripe-stand-in.md.
 *
 * ```ts
 * const standIn = await startStripeStandIn({ webhook: { url, secret: 'whsec_test' } });
 * const stripe = new Stripe('sk_test_x', standIn.clientOptions());
 * ```
 *
 * Each secret key (`sk_test_…`) is its own account. Webhook events are signed with
 * `stripe.webhooks.generateTestHeaderString` and POSTed to the configured endpoint, at once or
 * (with `delivery: 'manual'`) when a test releases them: duplicated, reordered or late.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { cardByNumber } from './cards.js';
import { invalid, StandInError } from './errors.js';
import { parseForm, type FormObject } from './form.js';
import type { DisputeStatus, OpenDisputeOptions } from './disputes.js';
import { Ledger, newId, type StandInEvent, type StripeObject } from './ledger.js';
import { checkoutPage, formatAmount, messagePage, threeDSecurePage } from './pages.js';

/** Where webhook events go, like a Stripe webhook endpoint. */
export interface StandInWebhookEndpoint {
  url: string;
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string;
  /** Event types to send (default: all), like an endpoint's `enabled_events`. */
  enabledEvents?: string[];
}

export interface StripeStandInOptions {
  /** Default endpoint for every account; {@link StripeStandIn.setWebhook} sets one per key. */
  webhook?: StandInWebhookEndpoint;
  /** `immediate` (default): each event is sent right after the request that caused it. `manual`: held until released. */
  delivery?: 'immediate' | 'manual';
  /** Only these secret keys are accepted (default: any `sk_test_…`). */
  apiKeys?: string[];
  /** Port to listen on (default: any free port on 127.0.0.1). */
  port?: number;
}

/** One webhook delivery attempt, for tests to inspect. */
export interface StandInDelivery {
  eventId: string;
  type: string;
  status: number;
  at: Date;
}

interface Remembered {
  fingerprint: string;
  status: number;
  body: string;
}

interface Pending {
  ledger: Ledger;
  event: StandInEvent;
}

const API_VERSION = '2026-11-18.endive';
const BODY_LIMIT = 1024 * 1024;

export class StripeStandIn {
  private server!: Server;
  private readonly ledgers = new Map<string, Ledger>();
  private readonly idempotency = new Map<Ledger, Map<string, Remembered>>();
  private readonly endpoints = new Map<string, StandInWebhookEndpoint>();
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Every delivery attempt, in order. */
  readonly deliveries: StandInDelivery[] = [];
  private apiVersion = API_VERSION;

  constructor(private readonly options: StripeStandInOptions = {}) {}

  async listen(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.json(res, 500, { error: { type: 'api_error', message: String(err) } });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL of the hosted pages and the API. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Options for `new Stripe(key, options)` that point the official client here. */
  clientOptions(): { host: string; port: number; protocol: 'http'; maxNetworkRetries: number; telemetry: boolean } {
    return { host: '127.0.0.1', port: this.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false };
  }

  /** Send `apiKey`'s events (or every account's, without a key) to `endpoint`. */
  setWebhook(endpoint: StandInWebhookEndpoint | undefined, apiKey = '*'): void {
    if (endpoint) this.endpoints.set(apiKey, endpoint);
    else this.endpoints.delete(apiKey);
  }

  /** The account of a secret key (made on first use). */
  ledger(apiKey: string): Ledger {
    let ledger = this.ledgers.get(apiKey);
    if (!ledger) {
      ledger = new Ledger(apiKey, {
        baseUrl: () => this.url,
        now: () => Math.floor(Date.now() / 1000),
        emit: (l, type, object, previous) => this.emit(l, type, object, previous),
      });
      this.ledgers.set(apiKey, ledger);
      this.idempotency.set(ledger, new Map());
    }
    return ledger;
  }

  /** Events of one account (or all), oldest first. */
  events(apiKey?: string): StandInEvent[] {
    const ledgers = apiKey ? [this.ledger(apiKey)] : [...this.ledgers.values()];
    return ledgers.flatMap((l) => l.events).sort((a, b) => a.created - b.created);
  }

  /** Events held back (`delivery: 'manual'`), oldest first. */
  pending(): StandInEvent[] {
    return this.queue.map((p) => p.event);
  }

  /**
   * Send the held events: in `order`, each `copies` times (duplicates as Stripe may send them),
   * those `filter` keeps (the others stay held for a later, "delayed" release). Answers each
   * attempt's HTTP status.
   */
  async release(
    options: { order?: 'created' | 'reverse' | 'shuffle'; copies?: number; filter?: (event: StandInEvent) => boolean } = {},
  ): Promise<StandInDelivery[]> {
    const chosen = this.queue.filter((p) => (options.filter ? options.filter(p.event) : true));
    for (const p of chosen) this.queue.splice(this.queue.indexOf(p), 1);
    if (options.order === 'reverse') chosen.reverse();
    if (options.order === 'shuffle') chosen.sort(() => Math.random() - 0.5);
    const out: StandInDelivery[] = [];
    for (const p of chosen) {
      for (let i = 0; i < (options.copies ?? 1); i++) {
        const delivered = await this.deliver(p.ledger.apiKey, p.event);
        if (delivered) out.push(delivered);
      }
    }
    return out;
  }

  /** Send one event again (a duplicate or a late retry), optionally signed at another time. */
  async resend(eventId: string, options: { signedAt?: Date } = {}): Promise<StandInDelivery | undefined> {
    for (const ledger of this.ledgers.values()) {
      const event = ledger.events.find((e) => e.id === eventId);
      if (event) return this.deliver(ledger.apiKey, event, options.signedAt);
    }
    throw new Error(`no event ${eventId}`);
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.idle();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- disputes -----------------------------------------------------------------------------

  /**
   * The cardholder's bank disputes a charge (`ch_…`) or a PaymentIntent's charge (`pi_…`), in
   * whichever account made it: `charge.dispute.created` (and `.funds_withdrawn` for a chargeback).
   */
  openDispute(chargeOrIntent: string, options: OpenDisputeOptions = {}): StripeObject {
    const found = this.find((l) => l.charges.get(chargeOrIntent) ?? l.paymentIntents.get(chargeOrIntent));
    if (!found) throw new Error(`no charge or payment intent ${chargeOrIntent}`);
    return found[0].disputes.open(chargeOrIntent, options);
  }

  /** Move an open dispute on (`under_review` once evidence is in): `charge.dispute.updated`. */
  updateDispute(id: string, status: Exclude<DisputeStatus, 'won' | 'lost' | 'warning_closed'>): StripeObject {
    return this.disputeLedger(id).disputes.update(id, status);
  }

  /** The bank decides (`won`, `lost`) or an inquiry ends (`warning_closed`): `charge.dispute.closed`. */
  closeDispute(id: string, status: 'won' | 'lost' | 'warning_closed'): StripeObject {
    return this.disputeLedger(id).disputes.close(id, status);
  }

  /** Decide a won or lost dispute the other way (a pre-arbitration), weeks later. */
  redecideDispute(id: string, status: 'won' | 'lost'): StripeObject {
    return this.disputeLedger(id).disputes.redecide(id, status);
  }

  private disputeLedger(id: string): Ledger {
    const found = this.find((l) => l.disputes.byId.get(id));
    if (!found) throw new Error(`no dispute ${id}`);
    return found[0];
  }

  // --- events -------------------------------------------------------------------------------

  private emit(ledger: Ledger, type: string, object: StripeObject, previous?: Record<string, unknown>): void {
    const event: StandInEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.apiVersion,
      created: Math.floor(Date.now() / 1000),
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: structuredClone(previous) } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: newId('req', 14), idempotency_key: null },
      type,
    };
    ledger.events.push(event);
    if (!this.endpointFor(ledger.apiKey, type)) return;
    if (this.options.delivery === 'manual') {
      this.queue.push({ ledger, event });
      return;
    }
    // After the response that caused it, like Stripe (events are asynchronous).
    const sending = new Promise((resolve) => setImmediate(resolve)).then(() => this.deliver(ledger.apiKey, event));
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private endpointFor(apiKey: string, type: string): StandInWebhookEndpoint | undefined {
    const endpoint = this.endpoints.get(apiKey) ?? this.endpoints.get('*') ?? this.options.webhook;
    if (!endpoint) return undefined;
    const enabled = endpoint.enabledEvents ?? ['*'];
    return enabled.includes('*') || enabled.includes(type) ? endpoint : undefined;
  }

  private async deliver(apiKey: string, event: StandInEvent, signedAt?: Date): Promise<StandInDelivery | undefined> {
    const endpoint = this.endpointFor(apiKey, event.type);
    if (!endpoint) return undefined;
    const payload = JSON.stringify(event, null, 2);
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: endpoint.secret,
      ...(signedAt ? { timestamp: Math.floor(signedAt.getTime() / 1000) } : {}),
    });
    let status = 0;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': header,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    const delivery = { eventId: event.id, type: event.type, status, at: new Date() };
    this.deliveries.push(delivery);
    return delivery;
  }

  // --- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req);
    if (body === null) return this.json(res, 413, { error: { type: 'invalid_request_error', message: 'Request too large' } });
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/v1/')) return this.api(req, res, method, url, body);
    return this.pages(res, method, url.pathname, parseForm(body));
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: string): Promise<void> {
    const requestId = newId('req', 14);
    res.setHeader('request-id', requestId);
    res.setHeader('stripe-version', this.apiVersion);
    const auth = /^Bearer (sk_test_[A-Za-z0-9_]{1,200})$/.exec(String(req.headers.authorization ?? ''));
    if (!auth || (this.options.apiKeys && !this.options.apiKeys.includes(auth[1]!))) {
      return this.json(res, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' },
      });
    }
    if (req.headers['stripe-account']) {
      return this.json(
        res,
        400,
        new StandInError(400, 'invalid_request_error', 'Stripe Connect is not served by the stand-in').body(requestId),
      );
    }
    const version = req.headers['stripe-version'];
    if (typeof version === 'string' && version) this.apiVersion = version;
    const ledger = this.ledger(auth[1]!);
    const params = method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(body);
    const key = req.headers['idempotency-key'];
    const remembered = this.idempotency.get(ledger)!;
    const fingerprint = createHash('sha256')
      .update(`${method} ${url.pathname}\n${canonical(params)}`)
      .digest('hex');
    if (method === 'POST' && typeof key === 'string' && key) {
      const earlier = remembered.get(key);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) {
          return this.json(
            res,
            400,
            new StandInError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            ).body(requestId),
          );
        }
        res.setHeader('idempotent-replayed', 'true');
        res.setHeader('idempotency-key', key);
        return this.raw(res, earlier.status, earlier.body);
      }
    }
    let status = 200;
    let out: unknown;
    try {
      out = this.route(ledger, method, url.pathname, params);
    } catch (err) {
      if (!(err instanceof StandInError)) throw err;
      status = err.status;
      out = err.body(requestId);
    }
    const text = JSON.stringify(out, null, 2);
    // Like Stripe, a result is kept once the request ran (a decline too); a refused request is not.
    if (method === 'POST' && typeof key === 'string' && key && (status === 200 || status === 402)) {
      remembered.set(key, { fingerprint, status, body: text });
      res.setHeader('idempotency-key', key);
    }
    return this.raw(res, status, text);
  }

  private route(ledger: Ledger, method: string, path: string, p: FormObject): unknown {
    const parts = path.split('/').slice(2).map(decodeURIComponent);
    const at = (...pattern: string[]): boolean =>
      parts.length === pattern.length && pattern.every((s, i) => s === '*' || s === parts[i]);
    const expand = (o: StripeObject): StripeObject => expandFields(ledger, o, p);
    const one = (v: unknown): string => String(v ?? '');
    if (method === 'POST' && at('customers')) return ledger.createCustomer(p);
    if (method === 'GET' && at('customers', '*')) return expand(ledger.customer(parts[1]!));
    if (method === 'POST' && at('customers', '*')) return ledger.updateCustomer(parts[1]!, p);
    if (method === 'GET' && at('customers', '*', 'payment_methods'))
      return listOf(ledger.customerPaymentMethods(parts[1]!), `/v1/customers/${parts[1]}/payment_methods`);
    if (method === 'GET' && at('payment_methods', '*')) return ledger.resolvePaymentMethod(parts[1]!, 'id');
    if (method === 'POST' && at('payment_methods', '*', 'attach')) {
      if (!p.customer) throw invalid('Missing required param: customer.', 'customer', 'parameter_missing');
      return ledger.attach(parts[1]!, one(p.customer));
    }
    if (method === 'POST' && at('payment_methods', '*', 'detach')) return ledger.detach(parts[1]!);
    if (method === 'POST' && at('setup_intents')) return ledger.createSetupIntent(p);
    if (method === 'GET' && at('setup_intents', '*')) return expand(ledger.setupIntent(parts[1]!));
    if (method === 'POST' && at('payment_intents')) return expand(ledger.createPaymentIntent(p));
    if (method === 'GET' && at('payment_intents', '*')) return expand(ledger.paymentIntent(parts[1]!));
    if (method === 'POST' && at('payment_intents', '*', 'confirm'))
      return expand(ledger.confirmPaymentIntent(ledger.paymentIntent(parts[1]!), p));
    if (method === 'POST' && at('refunds')) return ledger.createRefund(p);
    if (method === 'GET' && at('refunds', '*')) return ledger.refund(parts[1]!);
    if (method === 'POST' && at('checkout', 'sessions')) return Ledger.publicSession(ledger.createCheckoutSession(p));
    if (method === 'GET' && at('checkout', 'sessions', '*')) return expand(Ledger.publicSession(ledger.session(parts[2]!)));
    if (method === 'GET' && at('disputes', '*')) return expand(ledger.disputes.get(parts[1]!));
    // Closing a dispute is accepting it: Stripe marks it lost.
    if (method === 'POST' && at('disputes', '*', 'close')) return ledger.disputes.close(parts[1]!, 'lost');
    if (method === 'GET' && at('events', '*')) {
      const event = ledger.events.find((e) => e.id === parts[1]);
      if (!event)
        throw new StandInError(404, 'invalid_request_error', `No such event: '${parts[1]}'`, {
          code: 'resource_missing',
          param: 'id',
        });
      return event;
    }
    throw new StandInError(
      404,
      'invalid_request_error',
      `Unrecognized request URL (${method}: ${path}). The Stripe stand-in serves only what Hostplane uses.`,
    );
  }

  /** The hosted Checkout and 3-D Secure pages (no API key: the URL is the capability, as at Stripe). */
  private pages(res: ServerResponse, method: string, path: string, form: FormObject): void {
    const checkout = /^\/checkout\/(cs_test_[A-Za-z0-9]+)(\/authenticate)?$/.exec(path);
    const threeDs = /^\/3ds\/(pi_[A-Za-z0-9]+)$/.exec(path);
    if (checkout) {
      const found = this.find((l) => l.sessions.get(checkout[1]!));
      if (!found) return this.html(res, 404, messagePage('Not found', 'No such checkout session.'));
      const [ledger, session] = found;
      if (method === 'GET' || session.status !== 'open') return this.html(res, 200, checkoutPage(session));
      const typed = cardByNumber(typeof form.card === 'string' ? form.card : '');
      if (!typed)
        return this.html(res, 200, checkoutPage(session, 'Use one of Stripe’s test card numbers, e.g. 4242 4242 4242 4242.'));
      // A card whose bank always asks: Checkout shows the bank's 3-D Secure step first.
      if (typed.card.alwaysAuthenticate && !checkout[2]) {
        const amount =
          session.mode === 'payment'
            ? formatAmount(session.amount_total as number, session.currency as string)
            : 'saving this card';
        return this.html(res, 200, threeDSecurePage(`/checkout/${session.id}/authenticate`, amount, { card: typed.card.number }));
      }
      if (checkout[2] && form.result !== 'complete')
        return this.html(
          res,
          200,
          checkoutPage(session, 'We are unable to authenticate your payment method. Choose another one and try again.'),
        );
      const result = ledger.completeSession(session, typed.card);
      if (!result.ok) return this.html(res, 200, checkoutPage(session, result.message));
      return this.redirect(res, String(session.success_url).replaceAll('{CHECKOUT_SESSION_ID}', session.id));
    }
    if (threeDs) {
      const found = this.find((l) => l.paymentIntents.get(threeDs[1]!));
      if (!found) return this.html(res, 404, messagePage('Not found', 'No such payment.'));
      const [ledger, pi] = found;
      const next = pi.next_action as { redirect_to_url?: { return_url: string } } | null;
      if (pi.status !== 'requires_action')
        return this.html(res, 200, messagePage('Nothing to do', `This payment is ${String(pi.status)}.`));
      if (method === 'GET')
        return this.html(res, 200, threeDSecurePage(path, formatAmount(pi.amount as number, pi.currency as string)));
      const pm = ledger.paymentMethods.get(pi.payment_method as string)!;
      const ok = form.result === 'complete';
      if (ok) ledger.succeed(pi, pm);
      else ledger.fail(pi, pm, 'payment_intent_authentication_failure', 'We are unable to authenticate your payment method.');
      const back = next?.redirect_to_url?.return_url;
      if (!back) return this.html(res, 200, messagePage('Done', ok ? 'The payment succeeded.' : 'The authentication failed.'));
      const target = new URL(back);
      target.searchParams.set('payment_intent', pi.id);
      target.searchParams.set('redirect_status', ok ? 'succeeded' : 'failed');
      return this.redirect(res, target.toString());
    }
    return this.html(res, 404, messagePage('Not found', 'The Stripe stand-in has no such page.'));
  }

  private find(pick: (ledger: Ledger) => StripeObject | undefined): [Ledger, StripeObject] | undefined {
    for (const ledger of this.ledgers.values()) {
      const found = pick(ledger);
      if (found) return [ledger, found];
    }
    return undefined;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    this.raw(res, status, JSON.stringify(body, null, 2));
  }

  private raw(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  }

  private html(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(text);
  }

  private redirect(res: ServerResponse, location: string): void {
    res.writeHead(303, { location });
    res.end();
  }
}

/** Start a stand-in on a free port. */
export async function startStripeStandIn(options: StripeStandInOptions = {}): Promise<StripeStandIn> {
  return new StripeStandIn(options).listen();
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function listOf(data: StripeObject[], url: string): unknown {
  return { object: 'list', data, has_more: false, url };
}

/** `expand[]=latest_charge` and the like: ids of top-level fields replaced by their objects. */
function expandFields(ledger: Ledger, object: StripeObject, p: FormObject): StripeObject {
  const wanted = Array.isArray(p.expand) ? p.expand.filter((x): x is string => typeof x === 'string') : [];
  if (!wanted.length) return object;
  const copy: StripeObject = { ...object };
  const maps = [ledger.charges, ledger.paymentIntents, ledger.setupIntents, ledger.paymentMethods, ledger.customers];
  for (const field of wanted) {
    const id = copy[field];
    if (typeof id !== 'string') continue;
    const found = maps.map((m) => m.get(id)).find(Boolean);
    if (found) copy[field] = found;
  }
  return copy;
}
