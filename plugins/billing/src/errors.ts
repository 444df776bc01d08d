/** Error codes of the billing plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const BillingErrors = {
  notFound: defineError('BILLING_ERR_INVOICE_NOT_FOUND', 404, (id: string) => `No invoice ${id}`),
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
  pdfUnavailable: defineError(
    'BILLING_ERR_PDF_UNAVAILABLE',
    503,
    (reason: string) => `Invoice PDFs cannot be made now: ${reason}`,
  ),
  customerInvalid: defineError(
    'BILLING_ERR_CUSTOMER_INVALID',
    400,
    (reason: string) => `Invalid customerId: ${reason}`,
    (reason: string) => ({ field: '/body/customerId', reason }),
  ),
  gatewayUnknown: defineError('BILLING_ERR_GATEWAY_UNKNOWN', 400, (id: string) => `No payment method "${id}" is enabled`),
  dateInvalid: defineError('BILLING_ERR_DATE_INVALID', 400, (value: string) => `"${value}" is not a date (YYYY-MM-DD)`),
  referenceInvalid: defineError('BILLING_ERR_REFERENCE_INVALID', 400, 'A payment reference is one line of 1 to 200 characters'),
} as const;
