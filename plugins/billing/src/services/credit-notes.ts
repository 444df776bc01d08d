/** Reading credit notes (made by services/refunds.ts) for an invoice's detail. */
import { n, type BillingStore } from './store.js';

export interface CreditNoteView {
  id: string;
  number: string;
  /** The date printed on the note (the platform clock's day when it was issued). */
  issueDate: string;
  currency: string;
  subtotal: number;
  taxTotal: number;
  total: number;
  reason: string | null;
  settlement: 'refund' | 'credit';
  createdAt: string;
  refunds: Array<{ gateway: string; amount: number; status: string; gatewayRefundId: string | null }>;
}

export async function creditNotesOf(store: BillingStore, invoiceId: string): Promise<CreditNoteView[]> {
  const notes: Array<Record<string, unknown>> = await store.db
    .table('credit_notes')
    .where({ invoice_id: invoiceId })
    .orderBy('sequence')
    .select(
      'id',
      'number',
      store.db.knex.raw('issue_date::text as issue_date'),
      'currency',
      'subtotal',
      'tax_total',
      'total',
      'reason',
      'settlement',
      'created_at',
    );
  if (notes.length === 0) return [];
  const refunds: Array<Record<string, unknown>> = await store.db
    .table('refunds')
    .whereIn(
      'credit_note_id',
      notes.map((c) => c.id as string),
    )
    .orderBy('created_at');
  return notes.map((c) => ({
    id: c.id as string,
    number: c.number as string,
    issueDate: c.issue_date as string,
    currency: (c.currency as string).trim(),
    subtotal: n(c.subtotal as string),
    taxTotal: n(c.tax_total as string),
    total: n(c.total as string),
    reason: (c.reason as string | null) ?? null,
    settlement: c.settlement as 'refund' | 'credit',
    createdAt: (c.created_at as Date).toISOString(),
    refunds: refunds
      .filter((r) => r.credit_note_id === c.id)
      .map((r) => ({
        gateway: r.gateway as string,
        amount: n(r.amount as string),
        status: r.status as string,
        gatewayRefundId: (r.gateway_refund_id as string | null) ?? null,
      })),
  }));
}
