/**
 * A card gateway for tests, behind the real `payment-gateway` extension point: it takes money at
 * once (or declines while `declining` is set), charges saved cards off-session, refunds, and
 * keeps every call so a test can check idempotency keys. State lives in memory; idempotency keys
 * return their first result, as a real gateway's do.
 */
import {
  assertMoney,
  definePlugin,
  extensionPoints,
  PaymentGatewayErrors,
  type ChargeResult,
  type PaymentGateway,
  type RefundResult,
} from '@hostplane/sdk';

export class CardGateway implements PaymentGateway {
  readonly id = 'card';
  readonly displayName = 'Card (test)';
  readonly capabilities = { offSession: true, hostedCheckout: false, refunds: true, webhooks: false };
  declining = false;
  readonly charges: Array<Parameters<PaymentGateway['charge']>[0] & { result: ChargeResult }> = [];
  readonly refunds: Array<Parameters<PaymentGateway['refund']>[0] & { result: RefundResult }> = [];
  private readonly byKey = new Map<string, ChargeResult | RefundResult>();
  private readonly captured = new Map<string, { amount: number; refunded: number }>();
  private counter = 0;

  async createCustomer(input: Parameters<PaymentGateway['createCustomer']>[0]): Promise<{ customerId: string }> {
    return { customerId: `cus_${input.reference}` };
  }

  async listPaymentMethods(): Promise<Array<{ id: string; kind: string; label: string }>> {
    return [{ id: 'pm_visa', kind: 'card', label: 'Visa •••• 4242' }];
  }

  async charge(input: Parameters<PaymentGateway['charge']>[0]): Promise<ChargeResult> {
    assertMoney(input.money);
    const known = this.byKey.get(input.idempotencyKey) as ChargeResult | undefined;
    if (known) return known;
    this.counter += 1;
    const result: ChargeResult = this.declining
      ? { paymentId: `pi_${this.counter}`, status: 'failed', failureCode: 'card_declined', ...input.money }
      : { paymentId: `pi_${this.counter}`, status: 'succeeded', ...input.money };
    if (result.status === 'succeeded') this.captured.set(result.paymentId, { amount: result.amount, refunded: 0 });
    this.byKey.set(input.idempotencyKey, result);
    this.charges.push({ ...input, result });
    return result;
  }

  async refund(input: Parameters<PaymentGateway['refund']>[0]): Promise<RefundResult> {
    assertMoney(input.money);
    const known = this.byKey.get(input.idempotencyKey) as RefundResult | undefined;
    if (known) return known;
    const payment = this.captured.get(input.paymentId);
    if (!payment) throw PaymentGatewayErrors.paymentNotFound(input.paymentId);
    if (input.money.amount > payment.amount - payment.refunded)
      throw PaymentGatewayErrors.refundExceedsPayment(payment.amount - payment.refunded);
    payment.refunded += input.money.amount;
    this.counter += 1;
    const result: RefundResult = { refundId: `re_${this.counter}`, status: 'succeeded', ...input.money };
    this.byKey.set(input.idempotencyKey, result);
    this.refunds.push({ ...input, result });
    return result;
  }
}

/** A plugin that registers `gateway` (one per test host). */
export function cardGatewayPlugin(gateway: CardGateway) {
  return definePlugin({
    id: 'payment-card-test',
    sdk: '^0.1.0',
    provides: ['payment-gateway'],
    setup(ctx) {
      ctx.extend(extensionPoints.paymentGateway, gateway);
    },
  });
}
