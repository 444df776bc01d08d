/** A customer pays an invoice through a payment gateway (`POST /v1/invoices/:id/pay`). */
import { type Actor, type ChargeResult, type PaymentAccount, type PaymentGateway, type UsersService } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import type { InvoiceService } from './invoices.js';
import { gatewayCustomer } from './gateway-customers.js';
import { gatewayConfigAccount, type AccountFor } from './payment-accounts.js';
import { n, type BillingStore, type InvoiceRow } from './store.js';

export interface PayResult {
  invoice: InvoiceRow;
  payment: Pick<ChargeResult, 'status' | 'paymentId' | 'instructions' | 'actionUrl' | 'failureCode'>;
}

export class Paying {
  constructor(
    private readonly store: BillingStore,
    private readonly invoices: InvoiceService,
    private readonly users: UsersService,
    private readonly gateways: () => PaymentGateway[],
    /** The issuer's account at a gateway (a reseller's sealed keys: services/payment-accounts.ts). */
    private readonly accountFor: AccountFor = gatewayConfigAccount,
  ) {}

  async pay(
    actor: Actor,
    id: string,
    input: { gateway: string; paymentMethodId?: string },
    source: { ip?: string | null; requestId?: string | null },
  ): Promise<PayResult> {
    const row = await this.invoices.get(actor, id);
    // Only the invoice's customer pays it (an administrator may, for support).
    if (row.customer_id !== actor.userId && actor.role !== 'super_admin') throw BillingErrors.notCustomer();
    if (row.status === 'void') throw BillingErrors.invoiceVoid(row.number ?? row.id);
    const balance = n(row.total) - n(row.amount_paid);
    if (row.status === 'draft') throw BillingErrors.notIssued();
    if (balance <= 0) throw BillingErrors.invoicePaid(row.number ?? row.id);
    const gateway = this.gateways().find((g) => g.id === input.gateway);
    if (!gateway) throw BillingErrors.gatewayUnknown(input.gateway);
    const account = await this.accountFor(gateway.id, row.issuer);
    const customerId = await this.gatewayCustomer(gateway, account, row);
    // Same invoice, same balance: same key, so a double click or a retry charges once.
    const result = await gateway.charge({
      account,
      customerId,
      ...(input.paymentMethodId ? { paymentMethodId: input.paymentMethodId } : {}),
      money: { amount: balance, currency: row.currency },
      invoiceId: row.id,
      description: row.number ?? row.id,
      idempotencyKey: `invoice:${row.id}:balance:${balance}`,
    });
    let invoice = row;
    if (result.status === 'succeeded') {
      const recorded = await this.store.db
        .table('payments')
        .where({ gateway: gateway.id, gateway_payment_id: result.paymentId })
        .first('id');
      if (!recorded) {
        invoice = await this.invoices.recordPayment(
          null,
          row.id,
          { gateway: gateway.id, gatewayPaymentId: result.paymentId, amount: result.amount },
          { actorId: actor.userId, ...source },
        );
      }
    }
    const { status, paymentId, instructions, actionUrl, failureCode } = result;
    return {
      invoice,
      payment: {
        status,
        paymentId,
        ...(instructions ? { instructions } : {}),
        ...(actionUrl ? { actionUrl } : {}),
        ...(failureCode ? { failureCode } : {}),
      },
    };
  }

  private gatewayCustomer(gateway: PaymentGateway, account: PaymentAccount, row: InvoiceRow): Promise<string> {
    return gatewayCustomer({ store: this.store, users: this.users }, gateway, account, row.issuer, row.customer_id);
  }
}
