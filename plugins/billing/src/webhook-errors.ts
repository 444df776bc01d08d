/** Error codes of billing's payment webhooks (beside errors.ts; callers compare codes). */
import { defineError } from '@hostplane/sdk';

export const WebhookErrors = {
  gatewayUnknown: defineError(
    'BILLING_ERR_WEBHOOK_GATEWAY_UNKNOWN',
    404,
    (id: string) => `No enabled payment gateway "${id}" takes webhooks here`,
  ),
  issuerUnknown: defineError('BILLING_ERR_WEBHOOK_ISSUER_UNKNOWN', 404, 'No such seller takes webhooks here'),
  eventNotFound: defineError('BILLING_ERR_PAYMENT_EVENT_NOT_FOUND', 404, (id: string) => `No stored payment event ${id}`),
  eventAmbiguous: defineError(
    'BILLING_ERR_PAYMENT_EVENT_AMBIGUOUS',
    409,
    (id: string) => `Event id ${id} was received from more than one gateway or seller: name them with --gateway and --issuer`,
  ),
} as const;
