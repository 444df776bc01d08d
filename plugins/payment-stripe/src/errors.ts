/** Error codes of the Stripe gateway beyond the shared `PaymentGatewayErrors`. */
import { defineError } from '@hostplane/sdk';

export const StripeErrors = {
  /** Stripe refused the request for a reason the shared codes do not name; its message is kept. */
  rejected: defineError('STRIPE_ERR_REQUEST_REJECTED', 400, (message: string) => `Stripe refused the request: ${message}`),
  /** An idempotency key was reused with other parameters: a caller bug, never retried. */
  idempotencyConflict: defineError(
    'STRIPE_ERR_IDEMPOTENCY_CONFLICT',
    409,
    (key: string) => `The idempotency key "${key}" was already used for a different request`,
  ),
  /** The issuer has no Stripe account (no secret key) configured. */
  notConfigured: defineError(
    'STRIPE_ERR_NOT_CONFIGURED',
    400,
    (issuer: string) => `Card payments are not set up for this seller (${issuer}): no Stripe secret key`,
  ),
} as const;
