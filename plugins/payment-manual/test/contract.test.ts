/** The bank transfer gateway passes the shared PaymentGateway contract on its own schema. */
import { randomUUID } from 'node:crypto';
import knexFactory from 'knex';
import t from 'tap';
import { paymentGatewayContract, startTestHost } from '@hostplane/testing';
import manual, { ManualGateway } from '../src/index.js';

const host = await startTestHost({ plugins: [manual] });
const sql = knexFactory({ client: 'pg', connection: host.databaseUrl, pool: { min: 0, max: 4 } });
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

await paymentGatewayContract(t, async () => {
  const gateway = new ManualGateway(sql, 'plugin_payment_manual');
  const account = { issuerId: randomUUID(), secrets: {} };
  return {
    gateway,
    account,
    newCustomer: async () =>
      gateway.createCustomer({
        account,
        email: 'c@example.com',
        name: 'C',
        reference: randomUUID(),
        idempotencyKey: randomUUID(),
      }),
  };
});

t.test('a charge is a pending transfer; one issuer never sees another issuer’s payment', async (t) => {
  const gateway = new ManualGateway(sql, 'plugin_payment_manual');
  const a = { issuerId: 'issuer-a', secrets: {} };
  const b = { issuerId: 'issuer-b', secrets: {} };
  const paid = await gateway.charge({
    account: a,
    customerId: 'c',
    money: { amount: 100, currency: 'EUR' },
    invoiceId: 'inv',
    description: 'INV-2026-0001',
    idempotencyKey: 'same-key',
  });
  t.match(paid, { status: 'pending', instructions: /INV-2026-0001/ });
  const other = await gateway.charge({
    account: b,
    customerId: 'c',
    money: { amount: 100, currency: 'EUR' },
    invoiceId: 'inv',
    description: 'x',
    idempotencyKey: 'same-key',
  });
  t.not(other.paymentId, paid.paymentId, 'idempotency keys are per issuer');
  await t.rejects(
    gateway.refund({ account: b, paymentId: paid.paymentId, money: { amount: 1, currency: 'EUR' }, idempotencyKey: 'r' }),
    {
      code: 'PAYMENT_ERR_PAYMENT_NOT_FOUND',
    },
  );
});
