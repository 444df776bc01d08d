import { Secret, Type, type Static } from '@hostplane/sdk';

/**
 * Config an admin changes with `hostplane plugins config set payment-stripe key=value`. The keys
 * here are the platform's own Stripe account (it issues invoices to its customers and to
 * resellers); a reseller's account arrives with each call as `PaymentAccount.secrets`
 * (docs/decisions/0017 and 0037).
 */
export const StripeConfig = Type.Object(
  {
    secretKey: Secret(
      Type.String({
        title: 'Secret key',
        default: '',
        maxLength: 255,
        pattern: '^(|sk_(test|live)_[A-Za-z0-9_]+|rk_(test|live)_[A-Za-z0-9_]+)$',
        description: "The platform's Stripe secret key (sk_live_… or sk_test_…); empty: card payments are off",
      }),
    ),
    webhookSecret: Secret(
      Type.String({
        title: 'Webhook signing secret',
        default: '',
        maxLength: 255,
        pattern: '^(|whsec_[A-Za-z0-9_]+)$',
        description: 'Signing secret (whsec_…) of the endpoint https://<host>/v1/billing/webhooks/stripe',
      }),
    ),
    previousWebhookSecret: Secret(
      Type.String({
        title: 'Previous webhook signing secret',
        default: '',
        maxLength: 255,
        pattern: '^(|whsec_[A-Za-z0-9_]+)$',
        description: 'While rotating the signing secret: the old one, accepted beside the new one until Stripe stops using it',
      }),
    ),
    returnUrl: Type.String({
      title: 'Return address',
      default: 'http://localhost:3000/p/billing/invoice/{invoiceId}',
      maxLength: 500,
      pattern: '^https?://[^\\s]+$',
      description:
        'Where customers come back to after Stripe Checkout or 3-D Secure; `{invoiceId}` is the invoice paid (the panel’s invoice page)',
    }),
    apiBase: Type.String({
      title: 'API address',
      default: '',
      maxLength: 200,
      pattern: '^(|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)$',
      description: "Stripe's API address; empty: https://api.stripe.com. Tests point it at the stand-in",
    }),
  },
  { additionalProperties: false },
);

export type StripeConfig = Static<typeof StripeConfig>;
