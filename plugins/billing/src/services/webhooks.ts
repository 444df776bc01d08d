/**
 * Receiving a payment gateway's webhook: the gateway verifies the raw body (a wrong signature
 * throws its 400 before anything is written) and normalises it; the event is stored once by its
 * id and a durable job that applies it is queued in the same transaction. A duplicate answers
 * 200 at once (the gateway must stop retrying) and queues nothing.
 */
import {
  extensionPoints,
  type ExtensionsService,
  type JobsService,
  type PaymentDispute,
  type PaymentEvent,
  type PaymentGateway,
} from '@hostplane/sdk';
import { WebhookErrors } from '../webhook-errors.js';
import { isIssuerId, type PaymentAccounts } from './payment-accounts.js';
import type { BillingStore } from './store.js';

/** What billing keeps of a dispute event: bounded strings, the due date as ISO text. */
function disputeOf(d: PaymentDispute): Record<string, string> {
  return {
    id: d.id.slice(0, 255),
    status: d.status.slice(0, 100),
    outcome: ['open', 'won', 'lost', 'closed'].includes(d.outcome) ? d.outcome : 'open',
    ...(d.reason ? { reason: d.reason.slice(0, 100) } : {}),
    ...(d.evidenceDueBy && !Number.isNaN(d.evidenceDueBy.getTime()) ? { evidenceDueBy: d.evidenceDueBy.toISOString() } : {}),
  };
}

export const PAYMENT_EVENT_JOB = 'process-payment-event';

export interface PaymentEventKey {
  gateway: string;
  issuer: string;
  eventId: string;
}

export class Webhooks {
  constructor(
    private readonly deps: {
      store: BillingStore;
      jobs: JobsService;
      extensions: ExtensionsService;
      accounts: PaymentAccounts;
    },
  ) {}

  /** The started gateway with this id that takes webhooks, or 404. */
  gateway(id: string): PaymentGateway & Required<Pick<PaymentGateway, 'parseWebhook'>> {
    const found = this.deps.extensions.list(extensionPoints.paymentGateway).find((g) => g.id === id);
    if (!found || !found.capabilities.webhooks || !found.parseWebhook) throw WebhookErrors.gatewayUnknown(id);
    return found as PaymentGateway & Required<Pick<PaymentGateway, 'parseWebhook'>>;
  }

  async receive(input: {
    gateway: string;
    issuer: string;
    rawBody: Buffer;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<{ event: PaymentEvent; duplicate: boolean }> {
    const gateway = this.gateway(input.gateway);
    if (!isIssuerId(input.issuer)) throw WebhookErrors.issuerUnknown();
    const account = await this.deps.accounts.get(gateway.id, input.issuer);
    const event = await gateway.parseWebhook({ account, rawBody: input.rawBody, headers: input.headers });
    const duplicate = await this.store({ gateway: gateway.id, issuer: input.issuer, eventId: event.id }, event);
    return { event, duplicate };
  }

  /** Store the event once; queue its processing in the same transaction. True when it was known. */
  private async store(key: PaymentEventKey, event: PaymentEvent): Promise<boolean> {
    const { db } = this.deps.store;
    return db.transaction(async (trx) => {
      const inserted = (await db
        .table('payment_events', trx)
        .insert({
          gateway: key.gateway,
          issuer: key.issuer,
          event_id: event.id,
          type: event.type,
          gateway_type: event.gatewayType.slice(0, 100),
          payment_id: event.paymentId?.slice(0, 255) ?? null,
          invoice_ref: event.invoiceId?.slice(0, 255) ?? null,
          amount: Number.isSafeInteger(event.amount) && event.amount! >= 0 ? event.amount : null,
          currency: event.currency && /^[A-Z]{3}$/.test(event.currency) ? event.currency : null,
          occurred_at: event.occurredAt,
          dispute: event.dispute ? JSON.stringify(disputeOf(event.dispute)) : null,
        })
        .onConflict(['gateway', 'issuer', 'event_id'])
        .ignore()
        .returning('event_id')) as unknown[];
      if (inserted.length === 0) return true;
      await this.enqueue(key, trx);
      return false;
    });
  }

  async enqueue(key: PaymentEventKey, trx?: unknown): Promise<void> {
    await this.deps.jobs.enqueue(PAYMENT_EVENT_JOB, key, {
      ...(trx ? { trx } : {}),
      jobKey: `billing:payment-event:${key.gateway}:${key.issuer}:${key.eventId}`,
    });
  }

  /** Process a stored event again (the CLI's `billing webhooks replay`): applying is idempotent. */
  async replay(eventId: string, filter: { gateway?: string; issuer?: string } = {}): Promise<PaymentEventKey> {
    const { db } = this.deps.store;
    const q = db.table('payment_events').where({ event_id: eventId });
    if (filter.gateway) q.andWhere({ gateway: filter.gateway });
    if (filter.issuer) q.andWhere({ issuer: filter.issuer });
    const rows = (await q.select('gateway', 'issuer')) as Array<{ gateway: string; issuer: string }>;
    if (rows.length === 0) throw WebhookErrors.eventNotFound(eventId);
    if (rows.length > 1) throw WebhookErrors.eventAmbiguous(eventId);
    const key = { gateway: rows[0]!.gateway, issuer: rows[0]!.issuer, eventId };
    await db.transaction(async (trx) => {
      await db
        .table('payment_events', trx)
        .where({ gateway: key.gateway, issuer: key.issuer, event_id: eventId })
        .update({ processed_at: null, outcome: null });
      await this.enqueue(key, trx);
    });
    return key;
  }
}
