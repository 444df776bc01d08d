/** The Stripe gateway passes the shared PaymentGateway contract against the local Stripe stand-in. */
import t from 'tap';
import { paymentGatewayContract } from '@hostplane/testing';
import { startStripeStandIn } from '@hostplane/testing/stripe-stand-in';
import { stripeHarness } from './support/harness.js';

const standIn = await startStripeStandIn();
t.teardown(() => standIn.close());

await t.test('the shared contract against the stand-in', async (t) => {
  await paymentGatewayContract(t, async () => stripeHarness({ secretKey: 'sk_test_contract', apiBase: standIn.url }));
});
