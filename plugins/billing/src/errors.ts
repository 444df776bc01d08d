/** Error codes of the billing plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const BillingErrors = {
  notFound: defineError('BILLING_ERR_INVOICE_NOT_FOUND', 404, (id: string) => `No invoice ${id}`),
  creditNoteNotFound: defineError(
    'BILLING_ERR_CREDIT_NOTE_NOT_FOUND',
    404,
    (id: string) => `No credit note ${id} on this invoice`,
  ),
  invoiceVoid: defineError('BILLING_ERR_INVOICE_VOID', 409, (number: string) => `Invoice ${number} is void`),
  invoicePaid: defineError('BILLING_ERR_INVOICE_PAID', 409, (number: string) => `Invoice ${number} is already paid`),
  notCustomer: defineError('BILLING_ERR_NOT_CUSTOMER', 403, 'Only the customer of an invoice pays it'),
  notIssued: defineError('BILLING_ERR_NOT_ISSUED', 409, 'A draft invoice is not issued yet'),
  notIssuer: defineError('BILLING_ERR_NOT_ISSUER', 403, 'Only the issuer of an invoice (or an administrator) may do this'),
  amountExceedsBalance: defineError(
    'BILLING_ERR_AMOUNT_EXCEEDS_BALANCE',
    400,
    (balance: number) => `The amount exceeds what is left to pay (${balance} minor units)`,
    (balance: number) => ({ balance }),
  ),
  pdfUnavailable: defineError('BILLING_ERR_PDF_UNAVAILABLE', 503, (reason: string) => `PDFs cannot be made now: ${reason}`),
  customerInvalid: defineError(
    'BILLING_ERR_CUSTOMER_INVALID',
    400,
    (reason: string) => `Invalid customerId: ${reason}`,
    (reason: string) => ({ field: '/body/customerId', reason }),
  ),
  gatewayUnknown: defineError('BILLING_ERR_GATEWAY_UNKNOWN', 400, (id: string) => `No payment method "${id}" is enabled`),
  dateInvalid: defineError('BILLING_ERR_DATE_INVALID', 400, (value: string) => `"${value}" is not a date (YYYY-MM-DD)`),
  referenceInvalid: defineError('BILLING_ERR_REFERENCE_INVALID', 400, 'A payment reference is one line of 1 to 200 characters'),
  nothingToRefund: defineError(
    'BILLING_ERR_NOTHING_TO_REFUND',
    409,
    (number: string) => `Invoice ${number} has no paid amount left to refund`,
  ),
  refundExceedsPaid: defineError(
    'BILLING_ERR_REFUND_EXCEEDS_PAID',
    400,
    (refundable: number) => `A refund cannot exceed what was paid and not yet refunded (${refundable} minor units)`,
    (refundable: number) => ({ refundable }),
  ),
  refundFailed: defineError(
    'BILLING_ERR_REFUND_FAILED',
    502,
    (gateway: string) => `The payment gateway "${gateway}" declined the refund; nothing was recorded`,
  ),
  creditInsufficient: defineError(
    'BILLING_ERR_CREDIT_INSUFFICIENT',
    409,
    (balance: number) => `The credit balance (${balance} minor units) does not cover this`,
    (balance: number) => ({ balance }),
  ),
  customerNotFound: defineError('BILLING_ERR_CUSTOMER_NOT_FOUND', 404, (id: string) => `No customer ${id}`),
  couponUnknown: defineError('BILLING_ERR_COUPON_UNKNOWN', 404, (code: string) => `No coupon "${code}"`),
  couponExpired: defineError('BILLING_ERR_COUPON_EXPIRED', 410, (code: string) => `The coupon "${code}" has expired`),
  couponUsedUp: defineError('BILLING_ERR_COUPON_USED_UP', 409, (code: string) => `The coupon "${code}" has been used up`),
  couponCurrency: defineError(
    'BILLING_ERR_COUPON_CURRENCY',
    400,
    (coupon: string, wanted: string) => `The coupon is in ${coupon}; this subscription is billed in ${wanted}`,
    (coupon: string, wanted: string) => ({ couponCurrency: coupon, currency: wanted }),
  ),
  couponTaken: defineError('BILLING_ERR_COUPON_CODE_TAKEN', 409, (code: string) => `You already have a coupon "${code}"`),
  couponApplied: defineError(
    'BILLING_ERR_COUPON_ALREADY_APPLIED',
    409,
    'This subscription already has a coupon; remove it first',
  ),
  couponNotFound: defineError('BILLING_ERR_COUPON_NOT_FOUND', 404, (id: string) => `No coupon ${id}`),
  couponInvalid: defineError(
    'BILLING_ERR_COUPON_INVALID',
    400,
    (reason: string) => `Invalid coupon: ${reason}`,
    (reason: string) => ({ reason }),
  ),
  profileInvalid: defineError(
    'BILLING_ERR_PROFILE_INVALID',
    400,
    (field: string, reason: string) => `Invalid ${field}: ${reason}`,
    (field: string, reason: string) => ({ field: `/body/${field}`, reason }),
  ),
  subscriptionNotFound: defineError('BILLING_ERR_SUBSCRIPTION_NOT_FOUND', 404, (id: string) => `No subscription ${id}`),
} as const;
