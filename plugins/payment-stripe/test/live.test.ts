/**
 * The same contract against Stripe's own test mode, when STRIPE_TEST_SECRET_KEY (an sk_test_ key)
 * is set. Skipped otherwise (CI and these machines cannot reach Stripe), and the output says so.
 */
import t from 'tap';
import { paymentGatewayContract } from '@hostplane/testing';
import { stripeHarness } from './support/harness.js';

const key = process.env.STRIPE_TEST_SECRET_KEY ?? '';

if (!key) {
  t.test(
    'contract against Stripe test mode',
    { skip: 'STRIPE_TEST_SECRET_KEY is not set: Stripe test mode not contacted' },
    () => {},
  );
} else if (!key.startsWith('sk_test_') && !key.startsWith('rk_test_')) {
  t.fail('STRIPE_TEST_SECRET_KEY must be a test-mode key (sk_test_… or rk_test_…); refusing to move live money');
} else {
  await t.test('the shared contract against Stripe test mode', async (t) => {
    await paymentGatewayContract(t, async () => stripeHarness({ secretKey: key, apiBase: '' }));
  });
}
