/**
 * Stripe webhooks: verified on the raw body (HMAC-SHA256 over `t.payload`, 300 s tolerance,
 * every configured secret tried so a rotation loses nothing) and normalised into billing's
 * `PaymentEvent`. Only what billing acts on gets a type; the rest is `ignored` (and still stored
 * by id, so a replay is possible).
 */
import { PaymentGatewayErrors, type PaymentEvent } from '@hostplane/sdk';
import type Stripe from 'stripe';
import { loadStripe } from './client.js';

/** Stripe's default tolerance, in seconds. */
export const TOLERANCE_SECONDS = 300;

export async function verify(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secrets: string[],
  tolerance = TOLERANCE_SECONDS,
): Promise<Stripe.Event> {
  const header = headers['stripe-signature'];
  if (typeof header !== 'string' || !header) throw PaymentGatewayErrors.webhookSignature('no Stripe-Signature header');
  if (!secrets.length) throw PaymentGatewayErrors.webhookSignature('no webhook signing secret is configured');
  // Stripe's webhook helper: signature checks need no key or network.
  const { webhooks } = await loadStripe();
  let reason = 'the signature does not match';
  for (const secret of secrets) {
    try {
      return webhooks.constructEvent(rawBody, header, secret, tolerance);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // stripe-node says "Timestamp outside the tolerance zone" for stale events.
      if (/tolerance/i.test(message)) reason = `the signature is older than ${tolerance} s`;
      else if (/header/i.test(message) && !/signature/i.test(message)) reason = 'the Stripe-Signature header is malformed';
    }
  }
  throw PaymentGatewayErrors.webhookSignature(reason);
}

type Meta = Record<string, string> | null | undefined;
const invoiceOf = (metadata: Meta): string | undefined => metadata?.invoice_id || undefined;
const idOf = (v: string | { id: string } | null | undefined): string | undefined =>
  typeof v === 'string' ? v : (v?.id ?? undefined);

export function normalise(event: Stripe.Event): PaymentEvent {
  const base = { id: event.id, gatewayType: event.type, occurredAt: new Date(event.created * 1000) };
  const pick = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const pi = event.data.object;
      return pick({
        ...base,
        type: event.type === 'payment_intent.succeeded' ? ('payment.succeeded' as const) : ('payment.failed' as const),
        paymentId: pi.id,
        invoiceId: invoiceOf(pi.metadata),
        customerId: idOf(pi.customer),
        amount: event.type === 'payment_intent.succeeded' ? pi.amount_received : pi.amount,
        currency: pi.currency.toUpperCase(),
      });
    }
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object;
      const paid = session.mode === 'payment' && session.payment_status === 'paid';
      return pick({
        ...base,
        type: 'checkout.completed' as const,
        paymentId: paid ? idOf(session.payment_intent) : undefined,
        invoiceId: invoiceOf(session.metadata),
        customerId: idOf(session.customer),
        amount: paid ? (session.amount_total ?? undefined) : undefined,
        currency: paid ? session.currency?.toUpperCase() : undefined,
      });
    }
    case 'refund.created':
    case 'refund.updated': {
      const refund = event.data.object;
      if (refund.status !== 'succeeded') return { ...base, type: 'ignored' };
      return pick({
        ...base,
        type: 'refund.succeeded' as const,
        paymentId: idOf(refund.payment_intent),
        invoiceId: invoiceOf(refund.metadata),
        amount: refund.amount,
        currency: refund.currency.toUpperCase(),
      });
    }
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const type =
        event.type === 'charge.dispute.created'
          ? ('dispute.opened' as const)
          : event.type === 'charge.dispute.closed'
            ? ('dispute.closed' as const)
            : ('dispute.updated' as const);
      const dueBy = dispute.evidence_details?.due_by;
      return pick({
        ...base,
        type,
        paymentId: idOf(dispute.payment_intent),
        amount: dispute.amount,
        currency: dispute.currency.toUpperCase(),
        dispute: pick({
          id: dispute.id,
          status: dispute.status,
          outcome: disputeOutcome(dispute.status),
          reason: dispute.reason || undefined,
          evidenceDueBy: dueBy ? new Date(dueBy * 1000) : undefined,
        }),
      });
    }
    default:
      return { ...base, type: 'ignored' };
  }
}

/**
 * What a Stripe dispute status means for the payment. `lost` is the only one that takes the money
 * for good; `warning_closed` is an inquiry that never became a chargeback; `prevented` (a
 * pre-dispute resolved by a refund) and the old `charge_refunded` leave no chargeback either.
 */
export function disputeOutcome(status: string): 'open' | 'won' | 'lost' | 'closed' {
  switch (status) {
    case 'won':
      return 'won';
    case 'lost':
      return 'lost';
    case 'warning_closed':
    case 'prevented':
    case 'charge_refunded':
      return 'closed';
    default:
      return 'open';
  }
}
