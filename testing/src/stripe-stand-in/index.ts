/**
 * `@hostplane/testing/stripe-stand-in`: a local stand-in for the part of Stripe's API a payment
 * gateway needs, for tests on machines that cannot reach Stripe (and for third-party plugins
 * that want the same). A separate entry point so `@hostplane/testing` does not load `stripe`.
 *
 * @packageDocumentation
 */
export {
  StripeStandIn,
  startStripeStandIn,
  type StripeStandInOptions,
  type StandInWebhookEndpoint,
  type StandInDelivery,
} from './server.js';
export type { StandInEvent, StripeObject } from './ledger.js';
export type { DisputeStatus, OpenDisputeOptions } from './disputes.js';
export { TEST_CARDS, cardByNumber, type TestCard } from './cards.js';
export { parseForm } from './form.js';
