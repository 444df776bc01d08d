/**
 * One official `stripe` client per secret key (the platform's, and each reseller's: docs/
 * decisions/0037), pointed at `apiBase` when set (the stand-in in tests). Clients are cached:
 * each keeps its own keep-alive agent.
 */
import Stripe from 'stripe';

export type StripeClient = Stripe;

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

  get(secretKey: string): Stripe {
    const cacheKey = `${this.apiBase()}\n${secretKey}`;
    let client = this.cache.get(cacheKey);
    if (!client) {
      // The API version is the one this client release is typed for (its default).
      client = new Stripe(secretKey, clientOptions(this.apiBase()));
      this.cache.set(cacheKey, client);
    }
    return client;
  }
}

/** Stripe's webhook helper (signature checks need no key or network). */
export const webhookVerifier: Stripe['webhooks'] = Stripe.webhooks;
