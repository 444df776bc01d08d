/** Stripe's error shape (https://docs.stripe.com/api/errors), thrown by the stand-in's handlers. */
export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

export class StandInError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(requestId: string): { error: Record<string, unknown> } {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...this.extra,
        request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
      },
    };
  }
}

export const missing = (kind: string, id: string, param = 'id'): StandInError =>
  new StandInError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });

export const invalid = (message: string, param?: string, code?: string): StandInError =>
  new StandInError(400, 'invalid_request_error', message, { ...(param ? { param } : {}), ...(code ? { code } : {}) });
