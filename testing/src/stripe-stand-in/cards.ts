/**
 * Stripe's documented test cards and `pm_card_*` test payment methods the stand-in knows
 * (https://docs.stripe.com/testing). What each does is Stripe's documented behaviour.
 */
export interface TestCard {
  number: string;
  brand: string;
  /** Attaching it to a customer fails with this decline code. */
  attachDecline?: string;
  /** Charging it fails with this decline code (`card_declined` error). */
  chargeDecline?: string;
  /** Charging it needs 3-D Secure every time (off-session: `authentication_required`). */
  alwaysAuthenticate?: boolean;
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { number: '4242424242424242', brand: 'visa' },
  pm_card_mastercard: { number: '5555555555554444', brand: 'mastercard' },
  pm_card_chargeDeclined: {
    number: '4000000000000002',
    brand: 'visa',
    attachDecline: 'generic_decline',
    chargeDecline: 'generic_decline',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    number: '4000000000009995',
    brand: 'visa',
    attachDecline: 'insufficient_funds',
    chargeDecline: 'insufficient_funds',
  },
  // "Attaching this card to a Customer object succeeds, but attempts to charge the customer fail."
  pm_card_chargeCustomerFail: { number: '4000000000000341', brand: 'visa', chargeDecline: 'generic_decline' },
  // "This card requires authentication on all transactions, regardless of how the card is set up."
  pm_card_authenticationRequired: { number: '4000002760003184', brand: 'visa', alwaysAuthenticate: true },
};

/** The test card with this number, for the hosted pages where a number is typed. */
export function cardByNumber(number: string): { token: string; card: TestCard } | undefined {
  const digits = number.replace(/[\s-]/g, '');
  for (const [token, card] of Object.entries(TEST_CARDS)) if (card.number === digits) return { token, card };
  return undefined;
}
