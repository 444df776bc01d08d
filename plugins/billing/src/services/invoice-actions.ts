/**
 * What a caller may do with an invoice now, by the same rules the routes apply (Paying.pay,
 * InvoiceService.recordPayment and .void, Refunds.refund): the panel offers only these buttons, so it shows
 * nothing the API would refuse. The routes stay the authority; a test holds the two together.
 */
import type { Actor } from '@hostplane/sdk';
import { n, type InvoiceRow } from './store.js';

export interface InvoiceActions {
  /** Gateways the caller can pay the balance with (empty: nothing to pay, or not theirs to pay). */
  pay: string[];
  /** Record a bank transfer (issuer or administrator). */
  markPaid: boolean;
  /** Void it (issuer or administrator; nothing paid on it yet). */
  void: boolean;
  /** Refund it (issuer or administrator; settled, with paid money not yet given back). */
  refund: boolean;
  /** Change its lines, issue or discard it (issuer or administrator; a draft only). */
  edit: boolean;
}

export function invoiceActions(
  row: Pick<InvoiceRow, 'status' | 'total' | 'amount_paid' | 'amount_refunded' | 'customer_id' | 'issuer'>,
  actor: Pick<Actor, 'userId' | 'role'>,
  gateways: readonly string[],
): InvoiceActions {
  const admin = actor.role === 'super_admin';
  const issued = row.status !== 'draft' && row.status !== 'void';
  const balance = n(row.total) - n(row.amount_paid);
  const payer = row.customer_id === actor.userId || admin;
  const seller = row.issuer === actor.userId || admin;
  return {
    pay: payer && issued && balance > 0 ? [...gateways] : [],
    markPaid: seller && issued && balance > 0,
    // A draft has no number to keep: it is discarded, not voided.
    void: seller && issued && n(row.amount_paid) === 0,
    // Only a settled invoice is refunded (an open one is voided or corrected first).
    refund:
      seller && (row.status === 'paid' || row.status === 'partially_refunded') && n(row.amount_paid) > n(row.amount_refunded),
    edit: seller && row.status === 'draft',
  };
}
