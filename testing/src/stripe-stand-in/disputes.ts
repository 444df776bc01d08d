/**
 * Disputes in the stand-in: a cardholder's bank questions a succeeded charge. Stripe's test mode
 * makes them with special card numbers and settles them with "winning" or "losing" evidence; the
 * stand-in lets a test open, move and close one directly, and sends the events Stripe sends
 * (`charge.dispute.created`, `.updated`, `.closed`, and `.funds_withdrawn` / `.funds_reinstated`
 * when money moves), with the dispute object's shape from Stripe's API reference.
 */
import { invalid, missing } from './errors.js';
import { newId } from './ids.js';
import type { StripeObject } from './ledger.js';

/** Stripe's dispute statuses; the last three close a dispute. */
export type DisputeStatus =
  'warning_needs_response' | 'warning_under_review' | 'needs_response' | 'under_review' | 'won' | 'lost' | 'warning_closed';

const CLOSED: DisputeStatus[] = ['won', 'lost', 'warning_closed'];

export interface OpenDisputeOptions {
  /** Stripe's reason code (default `fraudulent`). */
  reason?: string;
  /** Minor units (default: what is not refunded of the charge). */
  amount?: number;
  /** An inquiry (`warning_needs_response`): no money is withdrawn until it escalates. */
  inquiry?: boolean;
}

/** What the disputes need from the account they live in. */
export interface DisputeLedger {
  readonly charges: Map<string, StripeObject>;
  readonly paymentIntents: Map<string, StripeObject>;
  emit(type: string, object: StripeObject, previous?: Record<string, unknown>): void;
  now(): number;
}

export class Disputes {
  readonly byId = new Map<string, StripeObject>();

  constructor(private readonly ledger: DisputeLedger) {}

  /** Open a dispute on a charge (`ch_…`) or on a PaymentIntent's latest charge (`pi_…`). */
  open(chargeOrIntent: string, options: OpenDisputeOptions = {}): StripeObject {
    const charge = this.chargeOf(chargeOrIntent);
    if (charge.status !== 'succeeded') throw invalid(`Charge ${charge.id} did not succeed: nothing to dispute.`, 'charge');
    if (charge.disputed) throw invalid(`Charge ${charge.id} is already disputed.`, 'charge');
    const left = (charge.amount as number) - (charge.amount_refunded as number);
    const amount = options.amount ?? left;
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > left)
      throw invalid(`A dispute is for 1 to ${left} (what is not refunded of the charge).`, 'amount');
    const now = this.ledger.now();
    const status: DisputeStatus = options.inquiry ? 'warning_needs_response' : 'needs_response';
    const dispute: StripeObject = {
      id: newId('du'),
      object: 'dispute',
      amount,
      balance_transactions: [],
      charge: charge.id,
      created: now,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: emptyEvidence(),
      evidence_details: {
        due_by: now + 7 * 86_400,
        enhanced_eligibility: {},
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent ?? null,
      payment_method_details: {
        card: { brand: cardBrand(charge), case_type: options.inquiry ? 'inquiry' : 'chargeback', network_reason_code: '4837' },
        type: 'card',
      },
      reason: options.reason ?? 'fraudulent',
      status,
    };
    this.byId.set(dispute.id, dispute);
    charge.disputed = true;
    this.ledger.emit('charge.dispute.created', dispute);
    if (!options.inquiry) this.withdraw(dispute);
    return dispute;
  }

  get(id: string): StripeObject {
    const found = this.byId.get(id);
    if (!found) throw missing('dispute', id);
    return found;
  }

  /** Move an open dispute (evidence sent: `under_review`; an inquiry escalated: `needs_response`). */
  update(id: string, status: Exclude<DisputeStatus, 'won' | 'lost' | 'warning_closed'>): StripeObject {
    const dispute = this.openOne(id);
    const previous = { status: dispute.status };
    const wasInquiry = String(dispute.status).startsWith('warning_');
    dispute.status = status;
    if (status === 'under_review' || status === 'warning_under_review') {
      const details = dispute.evidence_details as Record<string, unknown>;
      details.has_evidence = true;
      details.submission_count = (details.submission_count as number) + 1;
    }
    this.ledger.emit('charge.dispute.updated', dispute, previous);
    if (wasInquiry && !status.startsWith('warning_')) this.withdraw(dispute);
    return dispute;
  }

  /**
   * Close a dispute as the bank decides (`won`, `lost`) or an inquiry that never escalated
   * (`warning_closed`). `POST /v1/disputes/:id/close` (the seller accepts it) is `lost`.
   */
  close(id: string, status: 'won' | 'lost' | 'warning_closed'): StripeObject {
    const dispute = this.openOne(id);
    const inquiry = String(dispute.status).startsWith('warning_');
    if (status === 'warning_closed' && !inquiry) throw invalid('Only an inquiry closes as warning_closed.', 'status');
    if (status !== 'warning_closed' && inquiry)
      throw invalid('An inquiry escalates (needs_response) before it is decided.', 'status');
    dispute.status = status;
    dispute.is_charge_refundable = false;
    this.ledger.emit('charge.dispute.closed', dispute, { status: 'under_review' });
    if (status === 'won') {
      this.movement(dispute, dispute.amount as number, 'Chargeback reversal');
      this.ledger.emit('charge.dispute.funds_reinstated', dispute);
    }
    return dispute;
  }

  /**
   * Decide a won or lost dispute the other way, as a pre-arbitration or an appeal can weeks
   * later: `charge.dispute.updated` with the new status, and the money moved back with
   * `funds_reinstated` (now won) or `funds_withdrawn` (now lost).
   */
  redecide(id: string, status: 'won' | 'lost'): StripeObject {
    const dispute = this.get(id);
    const was = dispute.status as DisputeStatus;
    if (was !== 'won' && was !== 'lost') throw invalid(`Dispute ${id} is not decided (${String(was)}).`, 'status');
    if (was === status) throw invalid(`Dispute ${id} is ${status} already.`, 'status');
    dispute.status = status;
    this.ledger.emit('charge.dispute.updated', dispute, { status: was });
    if (status === 'won') {
      this.movement(dispute, dispute.amount as number, 'Chargeback reversal');
      this.ledger.emit('charge.dispute.funds_reinstated', dispute);
    } else this.withdraw(dispute);
    return dispute;
  }

  private openOne(id: string): StripeObject {
    const dispute = this.get(id);
    if (CLOSED.includes(dispute.status as DisputeStatus)) throw invalid(`Dispute ${id} is closed (${String(dispute.status)}).`);
    return dispute;
  }

  /** The money leaves the balance when a chargeback (not an inquiry) is filed. */
  private withdraw(dispute: StripeObject): void {
    this.movement(dispute, -(dispute.amount as number), 'Chargeback withdrawal');
    this.ledger.emit('charge.dispute.funds_withdrawn', dispute);
  }

  private movement(dispute: StripeObject, amount: number, description: string): void {
    (dispute.balance_transactions as StripeObject[]).push({
      id: newId('txn'),
      object: 'balance_transaction',
      amount,
      created: this.ledger.now(),
      currency: dispute.currency,
      description,
      fee: amount < 0 ? 1500 : -1500,
      net: amount < 0 ? amount - 1500 : amount + 1500,
      reporting_category: amount < 0 ? 'dispute' : 'dispute_reversal',
      status: 'available',
      type: 'adjustment',
    });
  }

  private chargeOf(id: string): StripeObject {
    if (id.startsWith('pi_')) {
      const pi = this.ledger.paymentIntents.get(id);
      if (!pi) throw missing('payment_intent', id, 'payment_intent');
      const charge = typeof pi.latest_charge === 'string' ? this.ledger.charges.get(pi.latest_charge) : undefined;
      if (!charge) throw invalid(`PaymentIntent ${id} has no charge to dispute.`, 'payment_intent');
      return charge;
    }
    const charge = this.ledger.charges.get(id);
    if (!charge) throw missing('charge', id, 'charge');
    return charge;
  }
}

function cardBrand(charge: StripeObject): unknown {
  const details = charge.payment_method_details as { card?: { brand?: unknown } } | undefined;
  return details?.card?.brand ?? 'visa';
}

/** Every evidence field Stripe lists, empty: the stand-in takes no evidence. */
function emptyEvidence(): Record<string, null> {
  const fields = [
    'access_activity_log',
    'billing_address',
    'cancellation_policy',
    'cancellation_policy_disclosure',
    'cancellation_rebuttal',
    'customer_communication',
    'customer_email_address',
    'customer_name',
    'customer_purchase_ip',
    'customer_signature',
    'duplicate_charge_documentation',
    'duplicate_charge_explanation',
    'duplicate_charge_id',
    'product_description',
    'receipt',
    'refund_policy',
    'refund_policy_disclosure',
    'refund_refusal_explanation',
    'service_date',
    'service_documentation',
    'shipping_address',
    'shipping_carrier',
    'shipping_date',
    'shipping_documentation',
    'shipping_tracking_number',
    'uncategorized_file',
    'uncategorized_text',
  ];
  return Object.fromEntries(fields.map((f) => [f, null]));
}
