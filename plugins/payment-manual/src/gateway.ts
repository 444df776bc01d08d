/**
 * Bank transfer as a `PaymentGateway`: no money moves through Hostplane. A charge is a payment
 * the customer still has to make (`pending`, with the reference to write on the transfer); it is
 * settled when a reseller or admin marks the invoice paid in billing. Refunds are recorded here
 * (bounded by the payment) and made by the issuer's bank.
 */
import { randomUUID } from 'node:crypto';
import {
  PaymentGatewayErrors,
  assertMoney,
  type ChargeResult,
  type PaymentGateway,
  type RefundResult,
  type SavedPaymentMethod,
} from '@hostplane/sdk';
import type { Knex } from 'knex';

interface PaymentRow {
  id: string;
  amount: string | number;
  currency: string;
  refunded: string | number;
}

const id = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '')}`;

export class ManualGateway implements PaymentGateway {
  readonly id = 'manual';
  readonly displayName = 'Bank transfer';
  readonly capabilities = { offSession: false, hostedCheckout: false, refunds: false, webhooks: false };

  constructor(
    private readonly knex: Knex,
    private readonly schema: string,
  ) {}

  private table(name: string, trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.knex).withSchema(this.schema).table(name);
  }

  async createCustomer(input: Parameters<PaymentGateway['createCustomer']>[0]): Promise<{ customerId: string }> {
    const row = {
      id: id('mcus'),
      issuer_id: input.account.issuerId,
      idempotency_key: input.idempotencyKey,
      reference: input.reference,
      email: input.email,
      name: input.name,
    };
    await this.table('customers').insert(row).onConflict(['issuer_id', 'idempotency_key']).ignore();
    const found = await this.table('customers')
      .where({ issuer_id: row.issuer_id, idempotency_key: row.idempotency_key })
      .first('id');
    return { customerId: found.id as string };
  }

  async listPaymentMethods(): Promise<SavedPaymentMethod[]> {
    return [{ id: 'bank_transfer', kind: 'bank_transfer', label: 'Bank transfer' }];
  }

  async charge(input: Parameters<PaymentGateway['charge']>[0]): Promise<ChargeResult> {
    assertMoney(input.money);
    const row = {
      id: id('mpay'),
      issuer_id: input.account.issuerId,
      idempotency_key: input.idempotencyKey,
      customer_id: input.customerId,
      invoice_id: input.invoiceId,
      amount: input.money.amount,
      currency: input.money.currency,
    };
    await this.table('payments').insert(row).onConflict(['issuer_id', 'idempotency_key']).ignore();
    const found = (await this.table('payments')
      .where({ issuer_id: row.issuer_id, idempotency_key: row.idempotency_key })
      .first('id', 'amount', 'currency')) as PaymentRow;
    return {
      paymentId: found.id,
      status: 'pending',
      amount: Number(found.amount),
      currency: found.currency,
      instructions: `Transfer the amount with the reference "${input.description}"`,
    };
  }

  async refund(input: Parameters<PaymentGateway['refund']>[0]): Promise<RefundResult> {
    assertMoney(input.money);
    return this.knex.transaction(async (trx) => {
      // Locked: two refunds at once cannot both fit in what is left.
      const payment = (await this.table('payments', trx)
        .where({ id: input.paymentId, issuer_id: input.account.issuerId })
        .forUpdate()
        .first()) as PaymentRow | undefined;
      if (!payment) throw PaymentGatewayErrors.paymentNotFound(input.paymentId);
      if (payment.currency !== input.money.currency) throw PaymentGatewayErrors.currencyInvalid(input.money.currency);
      const earlier = await this.table('refunds', trx)
        .where({ payment_id: payment.id, idempotency_key: input.idempotencyKey })
        .first('id', 'amount');
      if (earlier)
        return {
          refundId: earlier.id as string,
          status: 'succeeded',
          amount: Number(earlier.amount),
          currency: payment.currency,
        };
      const refundable = Number(payment.amount) - Number(payment.refunded);
      if (input.money.amount > refundable) throw PaymentGatewayErrors.refundExceedsPayment(refundable);
      const refundId = id('mref');
      await this.table('refunds', trx).insert({
        id: refundId,
        payment_id: payment.id,
        idempotency_key: input.idempotencyKey,
        amount: input.money.amount,
      });
      await this.table('payments', trx).where({ id: payment.id }).increment('refunded', input.money.amount);
      return { refundId, status: 'succeeded', amount: input.money.amount, currency: payment.currency };
    });
  }

  async parseWebhook(): Promise<never> {
    throw PaymentGatewayErrors.unsupported('webhooks');
  }
}
