/**
 * The contract harness for the Stripe gateway: the same for the stand-in and for Stripe's test
 * mode (only the key and the API address differ). Customers get Stripe's documented test
 * methods: `pm_card_visa` (pays) and `pm_card_chargeCustomerFail` (attaches, then declines).
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { PaymentAccount } from '@hostplane/sdk';
import type { PaymentGatewayHarness } from '@hostplane/testing';
import { clientOptions, StripeGateway, type StripeSettings } from '../../src/index.js';

export const WEBHOOK_SECRET = 'whsec_contract_test_secret';

export function settings(over: Partial<StripeSettings> = {}): StripeSettings {
  return {
    secretKey: '',
    webhookSecret: '',
    previousWebhookSecret: '',
    returnUrl: 'http://127.0.0.1:9/invoices',
    apiBase: '',
    ...over,
  };
}

export function stripeHarness(options: { secretKey: string; apiBase: string }): PaymentGatewayHarness & {
  stripe: Stripe;
  account: PaymentAccount;
} {
  const gateway = new StripeGateway(() => settings({ apiBase: options.apiBase }));
  // A reseller-style account: the keys travel with the call (docs/decisions/0037).
  const account: PaymentAccount = {
    issuerId: randomUUID(),
    secrets: { secretKey: options.secretKey, webhookSecret: WEBHOOK_SECRET },
  };
  const stripe = new Stripe(options.secretKey, clientOptions(options.apiBase));
  return {
    gateway,
    account,
    stripe,
    async newCustomer() {
      const { customerId } = await gateway.createCustomer({
        account,
        email: 'contract@example.com',
        name: 'Contract Customer',
        reference: randomUUID(),
        idempotencyKey: randomUUID(),
      });
      const paying = await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
      const declining = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customerId });
      return { customerId, paymentMethodId: paying.id, declinedPaymentMethodId: declining.id };
    },
    signWebhook(event) {
      const payload = JSON.stringify(
        {
          id: event.id,
          object: 'event',
          api_version: '2026-11-18.endive',
          created: Math.floor(Date.now() / 1000),
          data: {
            object: {
              id: event.paymentId,
              object: 'payment_intent',
              amount: event.money.amount,
              amount_received: event.money.amount,
              currency: event.money.currency.toLowerCase(),
              customer: null,
              metadata: { invoice_id: event.invoiceId },
              status: 'succeeded',
            },
          },
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          type: 'payment_intent.succeeded',
        },
        null,
        2,
      );
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      return { rawBody: Buffer.from(payload), headers: { 'stripe-signature': header } };
    },
  };
}
