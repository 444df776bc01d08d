/**
 * One official `stripe` client per secret key (the platform's, and each reseller's: docs/
 * decisions/0037), pointed at `apiBase` when set (the stand-in in tests). Clients are cached:
 * each keeps its own keep-alive agent.
 */
import type Stripe from 'stripe';

export type StripeClient = Stripe;

let loaded: typeof Stripe | undefined;
let loading: Promise<typeof Stripe> | undefined;

/**
 * The `stripe` package, imported on first use rather than at boot: it costs about 110 ms of
 * every start, and most starts make no payment.
 */
export function loadStripe(): Promise<typeof Stripe> {
  loading ??= import('stripe').then(({ default: S }) => (loaded = S));
  return loading;
}

/**
 * Stripe's error classes. Only asked for after a call through a client, which loaded the package.
 */
export function stripeErrors(): typeof Stripe.errors {
  if (!loaded) throw new Error('the stripe package is not loaded yet');
  return loaded.errors;
}

export function clientOptions(apiBase: string): Stripe.StripeConfig {
  const options: Stripe.StripeConfig = {
    // The idempotency key on every create makes a retry safe; Stripe advises retrying 409/5xx/network errors.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'Hostplane', url: 'https://github.com/hostplane' },
  };
  if (apiBase) {
    const url = new URL(apiBase);
    options.host = url.hostname;
    options.protocol = url.protocol === 'http:' ? 'http' : 'https';
    options.port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  }
  return options;
}

export class StripeClients {
  private readonly cache = new Map<string, Stripe>();

  constructor(private readonly apiBase: () => string) {}

  async get(secretKey: string): Promise<Stripe> {
    const S = await loadStripe();
    const cacheKey = `${this.apiBase()}\n${secretKey}`;
    let client = this.cache.get(cacheKey);
    if (!client) {
      // The API version is the one this client release is typed for (its default).
      client = new S(secretKey, clientOptions(this.apiBase()));
      this.cache.set(cacheKey, client);
    }
    return client;
  }
}
