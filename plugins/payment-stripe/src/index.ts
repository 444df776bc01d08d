/**
 * payment-stripe: card payments through Stripe behind the `payment-gateway` extension point.
 * Wiring only: the gateway is in gateway.ts, webhook verification in webhook.ts.
 */
import { definePlugin, extensionPoints } from '@hostplane/sdk';
import { StripeConfig } from './config.js';
import { StripeGateway } from './gateway.js';

export { StripeGateway, PLATFORM_ISSUER, type StripeSettings } from './gateway.js';
export { StripeConfig } from './config.js';
export { clientOptions } from './client.js';
export { verify as verifyStripeWebhook, normalise as normaliseStripeEvent, TOLERANCE_SECONDS } from './webhook.js';
export { StripeErrors } from './errors.js';

export default definePlugin({
  id: 'payment-stripe',
  sdk: '^0.1.0',
  provides: ['payment-gateway'],
  config: StripeConfig,
  setup(ctx) {
    // Read on each call: a changed key applies to the next payment without a restart.
    const config = ctx.config;
    ctx.extend(extensionPoints.paymentGateway, new StripeGateway(() => config));
  },
  start(ctx) {
    const c = ctx.config;
    if (!c.secretKey)
      ctx.reportHealth('degraded', 'No Stripe secret key: the platform cannot take card payments (set secretKey)');
    else if (!c.webhookSecret)
      ctx.reportHealth(
        'degraded',
        'No webhook signing secret: Stripe payments are never confirmed to billing (set webhookSecret)',
      );
    else ctx.reportHealth('ok');
  },
});
