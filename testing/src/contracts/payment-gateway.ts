/**
 * The shared contract every `PaymentGateway` passes (`@hostplane/sdk`'s payment-gateway.ts):
 * idempotent charges and refunds, integer money, declines as results, refunds bounded by the
 * payment, webhooks verified on the raw body, and (when implemented) a default method listed
 * first and removed methods gone. A driver's test calls it with a harness that
 * knows how to make a customer with a working (and a declining) method and a signed webhook:
 *
 * ```ts
 * import t from 'tap';
 * import { paymentGatewayContract } from '@hostplane/testing';
 * await paymentGatewayContract(t, async () => ({ gateway, account, newCustomer, signWebhook }));
 * ```
 */
import { PaymentGatewayErrors, type PaymentAccount, type PaymentEvent, type PaymentGateway } from '@hostplane/sdk';

import type { ContractTest } from './contract-test.js';

export type { ContractTest };

/** What a driver's test hands the contract. */
export interface PaymentGatewayHarness {
  gateway: PaymentGateway;
  account: PaymentAccount;
  /** A customer at the gateway with a method that pays and, for off-session gateways, one that is declined. */
  newCustomer(): Promise<{ customerId: string; paymentMethodId?: string; declinedPaymentMethodId?: string }>;
  /**
   * A webhook the gateway must accept: raw body and headers for an event of `type` about
   * `paymentId`. Required when the gateway's capabilities say `webhooks`.
   */
  signWebhook?(event: {
    id: string;
    type: 'payment.succeeded';
    paymentId: string;
    invoiceId: string;
    money: { amount: number; currency: string };
  }): {
    rawBody: Buffer;
    headers: Record<string, string>;
  };
  close?(): Promise<void>;
}

let sequence = 0;
const key = (what: string): string => `contract-${what}-${process.pid}-${Date.now()}-${++sequence}`;

/** Run the contract against the harness `make` returns (once for the whole suite). */
export async function paymentGatewayContract(t: ContractTest, make: () => Promise<PaymentGatewayHarness>): Promise<void> {
  const h = await make();
  if (h.close) t.teardown(() => h.close!());
  const { gateway, account } = h;

  await t.test('describes itself', async (t) => {
    t.match(gateway.id, /^[a-z][a-z0-9-]*$/);
    t.ok(gateway.displayName.trim().length > 0);
    if (gateway.capabilities.hostedCheckout) t.equal(typeof gateway.createCheckout, 'function');
    if (gateway.capabilities.webhooks) t.equal(typeof gateway.parseWebhook, 'function');
  });

  await t.test('a customer made twice with one idempotency key is one customer', async (t) => {
    const idempotencyKey = key('customer');
    const input = { account, email: 'contract@example.com', name: 'Contract Çustomer', reference: 'user-1', idempotencyKey };
    const first = await gateway.createCustomer(input);
    const again = await gateway.createCustomer(input);
    t.ok(first.customerId);
    t.equal(again.customerId, first.customerId);
    t.ok(Array.isArray(await gateway.listPaymentMethods({ account, customerId: first.customerId })));
  });

  await t.test('a charge repeated with its idempotency key moves money once', async (t) => {
    const { customerId, paymentMethodId } = await h.newCustomer();
    const input = {
      account,
      customerId,
      ...(paymentMethodId ? { paymentMethodId } : {}),
      money: { amount: 1999, currency: 'EUR' },
      invoiceId: key('invoice'),
      description: 'Invoice INV-1',
      idempotencyKey: key('charge'),
    };
    const first = await gateway.charge(input);
    const again = await gateway.charge(input);
    t.equal(again.paymentId, first.paymentId, 'same payment');
    t.equal(first.amount, 1999);
    t.equal(first.currency, 'EUR');
    t.ok(first.status === (gateway.capabilities.offSession ? 'succeeded' : 'pending'), `status ${first.status}`);
    const other = await gateway.charge({ ...input, idempotencyKey: key('charge') });
    t.not(other.paymentId, first.paymentId, 'a new key is a new payment');
  });

  await t.test('bad money is refused before anything happens', async (t) => {
    const { customerId, paymentMethodId } = await h.newCustomer();
    const base = { account, customerId, ...(paymentMethodId ? { paymentMethodId } : {}), invoiceId: 'i', description: 'd' };
    for (const amount of [0, -100, 10.5, Number.NaN, 2 ** 60]) {
      await t.rejects(
        gateway.charge({ ...base, money: { amount, currency: 'EUR' }, idempotencyKey: key('bad') }),
        { code: PaymentGatewayErrors.amountInvalid.code },
        `amount ${amount}`,
      );
    }
    for (const currency of ['eur', 'EURO', '', 'E\u0000R']) {
      await t.rejects(
        gateway.charge({ ...base, money: { amount: 100, currency }, idempotencyKey: key('bad') }),
        { code: PaymentGatewayErrors.currencyInvalid.code },
        `currency ${JSON.stringify(currency)}`,
      );
    }
  });

  if (gateway.capabilities.offSession) {
    await t.test('a declined method is a failed result, not an exception', async (t) => {
      const { customerId, declinedPaymentMethodId } = await h.newCustomer();
      t.ok(declinedPaymentMethodId, 'the harness gives a declining method');
      const result = await gateway.charge({
        account,
        customerId,
        paymentMethodId: declinedPaymentMethodId!,
        money: { amount: 500, currency: 'EUR' },
        invoiceId: key('invoice'),
        description: 'declined',
        idempotencyKey: key('charge'),
      });
      t.equal(result.status, 'failed');
      t.ok(result.failureCode);
    });
  }

  if (gateway.setDefaultPaymentMethod || gateway.removePaymentMethod) {
    await t.test('a chosen default is listed first; a removed method is listed no more', async (t) => {
      const { customerId, paymentMethodId, declinedPaymentMethodId } = await h.newCustomer();
      t.ok(paymentMethodId && declinedPaymentMethodId, 'the harness gives two saved methods');
      if (gateway.setDefaultPaymentMethod) {
        for (const chosen of [declinedPaymentMethodId!, paymentMethodId!]) {
          await gateway.setDefaultPaymentMethod({ account, customerId, paymentMethodId: chosen });
          const listed = await gateway.listPaymentMethods({ account, customerId });
          t.equal(listed[0]?.id, chosen, 'the default first');
          t.same(
            listed.map((m) => !!m.isDefault),
            listed.map((_, i) => i === 0),
            'and only it flagged',
          );
        }
      }
      if (gateway.removePaymentMethod) {
        await gateway.removePaymentMethod({ account, customerId, paymentMethodId: declinedPaymentMethodId! });
        const ids = (await gateway.listPaymentMethods({ account, customerId })).map((m) => m.id);
        t.ok(!ids.includes(declinedPaymentMethodId!), 'the removed one is gone');
        t.ok(ids.includes(paymentMethodId!), 'the others stay');
      }
    });
  }

  await t.test('refunds are idempotent and never exceed the payment', async (t) => {
    const { customerId, paymentMethodId } = await h.newCustomer();
    const paid = await gateway.charge({
      account,
      customerId,
      ...(paymentMethodId ? { paymentMethodId } : {}),
      money: { amount: 3000, currency: 'EUR' },
      invoiceId: key('invoice'),
      description: 'to refund',
      idempotencyKey: key('charge'),
    });
    const refundKey = key('refund');
    const first = await gateway.refund({
      account,
      paymentId: paid.paymentId,
      money: { amount: 1000, currency: 'EUR' },
      idempotencyKey: refundKey,
    });
    const again = await gateway.refund({
      account,
      paymentId: paid.paymentId,
      money: { amount: 1000, currency: 'EUR' },
      idempotencyKey: refundKey,
    });
    t.equal(again.refundId, first.refundId);
    t.equal(first.amount, 1000);
    await t.rejects(
      gateway.refund({
        account,
        paymentId: paid.paymentId,
        money: { amount: 2001, currency: 'EUR' },
        idempotencyKey: key('refund'),
      }),
      { code: PaymentGatewayErrors.refundExceedsPayment.code },
      'only 2000 is left',
    );
    const rest = await gateway.refund({
      account,
      paymentId: paid.paymentId,
      money: { amount: 2000, currency: 'EUR' },
      idempotencyKey: key('refund'),
    });
    t.equal(rest.amount, 2000);
    await t.rejects(
      gateway.refund({
        account,
        paymentId: 'no-such-payment',
        money: { amount: 1, currency: 'EUR' },
        idempotencyKey: key('refund'),
      }),
      { code: PaymentGatewayErrors.paymentNotFound.code },
    );
  });

  if (gateway.capabilities.webhooks) {
    await t.test('a signed webhook is normalised; a tampered or unsigned one is refused', async (t) => {
      t.ok(h.signWebhook, 'the harness signs webhooks');
      const event = {
        id: key('evt'),
        type: 'payment.succeeded' as const,
        paymentId: key('pay'),
        invoiceId: key('invoice'),
        money: { amount: 1234, currency: 'EUR' },
      };
      const { rawBody, headers } = h.signWebhook!(event);
      const parsed: PaymentEvent = await gateway.parseWebhook!({ account, rawBody, headers });
      t.match(parsed, {
        id: event.id,
        type: 'payment.succeeded',
        paymentId: event.paymentId,
        invoiceId: event.invoiceId,
        amount: 1234,
        currency: 'EUR',
      });
      t.ok(parsed.occurredAt instanceof Date);
      const tampered = Buffer.from(rawBody.toString('utf8').replace('1234', '9999'));
      await t.rejects(gateway.parseWebhook!({ account, rawBody: tampered, headers }), {
        code: PaymentGatewayErrors.webhookSignature.code,
      });
      await t.rejects(gateway.parseWebhook!({ account, rawBody, headers: {} }), {
        code: PaymentGatewayErrors.webhookSignature.code,
      });
    });
  } else {
    await t.test('a gateway without webhooks says so', async (t) => {
      if (!gateway.parseWebhook) return;
      await t.rejects(gateway.parseWebhook({ account, rawBody: Buffer.from('{}'), headers: {} }), {
        code: PaymentGatewayErrors.unsupported.code,
      });
    });
  }
}
