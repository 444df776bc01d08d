/** Credit note, refund and coupon arithmetic as tables (docs/decisions/0034, 0035). */
import t from 'tap';
import { creditSplit, invoiceTotals } from '../src/services/money.js';
import { allocateRefund, statusAfterRefund } from '../src/services/refunds.js';
import { discountOf } from '../src/services/coupons.js';
import { prorate } from '../src/services/proration.js';

t.test('a credit note’s tax is its share of the invoice’s, rounded once on the running sum', async (t) => {
  const cases: Array<{ name: string; total: number; tax: number; credits: number[]; want: number[] }> = [
    { name: 'the whole invoice', total: 1190, tax: 190, credits: [1190], want: [190] },
    { name: 'no tax (reverse charge)', total: 1000, tax: 0, credits: [400, 600], want: [0, 0] },
    { name: 'three thirds add up', total: 1189, tax: 190, credits: [333, 333, 523], want: [53, 53, 84] },
    { name: 'a cent at a time', total: 119, tax: 19, credits: Array(119).fill(1), want: [] },
    { name: 'half, rounded half away from zero', total: 1190, tax: 190, credits: [595, 595], want: [95, 95] },
    { name: 'inclusive invoice of 10.00 with 1.60 tax', total: 1000, tax: 160, credits: [1, 999], want: [0, 160] },
  ];
  for (const c of cases) {
    let credited = 0;
    const taxes = c.credits.map((gross) => {
      const split = creditSplit(gross, credited, c.total, c.tax);
      t.equal(split.subtotal + split.taxTotal, gross, `${c.name}: net + tax = gross`);
      credited += gross;
      return split.taxTotal;
    });
    if (c.want.length) t.same(taxes, c.want, c.name);
    if (credited === c.total)
      t.equal(
        taxes.reduce((a, b) => a + b, 0),
        c.tax,
        `${c.name}: credits of the whole invoice give back exactly its tax`,
      );
  }
  for (const [gross, already] of [
    [0, 0],
    [-1, 0],
    [1.5, 0],
    [1191, 0],
    [2, 1189],
  ] as const)
    t.throws(() => creditSplit(gross, already, 1190, 190), RangeError, `${gross} after ${already}`);
});

t.test('a refund draws on the newest payments first, each up to what is left of it', async (t) => {
  const p = (id: string, amount: number, refunded = 0) => ({ id, amount, refunded });
  const cases: Array<{ name: string; payments: ReturnType<typeof p>[]; amount: number; want: Array<[string, number]> }> = [
    { name: 'one payment, all', payments: [p('a', 1190)], amount: 1190, want: [['a', 1190]] },
    { name: 'one payment, part', payments: [p('a', 1190)], amount: 100, want: [['a', 100]] },
    {
      name: 'across two',
      payments: [p('new', 500), p('old', 690)],
      amount: 700,
      want: [
        ['new', 500],
        ['old', 200],
      ],
    },
    { name: 'skips what was refunded', payments: [p('new', 500, 500), p('old', 690, 90)], amount: 600, want: [['old', 600]] },
  ];
  for (const c of cases)
    t.same(
      allocateRefund(c.payments, c.amount).map(([pay, part]) => [pay.id, part]),
      c.want,
      c.name,
    );
  t.throws(() => allocateRefund([p('a', 100, 50)], 51), RangeError, 'never more than is left');
});

t.test('status after a refund', async (t) => {
  const cases: Array<[number, number, string]> = [
    [1190, 1190, 'refunded'],
    [1190, 1, 'partially_refunded'],
    [1190, 1189, 'partially_refunded'],
  ];
  for (const [paid, refunded, want] of cases) t.equal(statusAfterRefund(paid, refunded), want, `${refunded} of ${paid}`);
});

t.test('coupon discounts: percent rounded half away from zero, fixed capped at the base', async (t) => {
  const cases: Array<{ name: string; coupon: Parameters<typeof discountOf>[0]; base: number; want: number }> = [
    { name: '25 % of 19.99', coupon: { kind: 'percent', percentBp: 2500 }, base: 1999, want: 500 }, // 499.75
    { name: '10 % of 0.05', coupon: { kind: 'percent', percentBp: 1000 }, base: 5, want: 1 }, // 0.5
    { name: '10 % of 0.04', coupon: { kind: 'percent', percentBp: 1000 }, base: 4, want: 0 },
    { name: '100 %', coupon: { kind: 'percent', percentBp: 10_000 }, base: 2999, want: 2999 },
    { name: 'fixed 5.00 of 19.99', coupon: { kind: 'fixed', amount: 500 }, base: 1999, want: 500 },
    { name: 'fixed 50.00 of 19.99: never below zero', coupon: { kind: 'fixed', amount: 5000 }, base: 1999, want: 1999 },
    { name: 'nothing to discount', coupon: { kind: 'fixed', amount: 500 }, base: 0, want: 0 },
  ];
  for (const c of cases) t.equal(discountOf(c.coupon, c.base), c.want, c.name);
});

t.test('a discount line is taxed with its invoice: tax on the discounted sum', async (t) => {
  const vat = (amount: number) => ({ amount, taxName: 'VAT', taxRateBp: 1900 });
  const cases: Array<{ lines: number[]; inclusive: boolean; want: [number, number, number] }> = [
    { lines: [1999, -500], inclusive: false, want: [1499, 285, 1784] },
    { lines: [1999, 1000, -750], inclusive: false, want: [2249, 427, 2676] },
    { lines: [1190, -1190], inclusive: true, want: [0, 0, 0] },
    { lines: [1190, -119], inclusive: true, want: [900, 171, 1071] },
  ];
  for (const c of cases) {
    const totals = invoiceTotals(c.lines.map(vat), c.inclusive);
    t.same([totals.subtotal, totals.taxTotal, totals.total], c.want, `${c.lines.join(' ')} ${c.inclusive ? 'incl' : 'excl'}`);
  }
});

t.test('proration: the price for the days left of the period, rounded once', async (t) => {
  const cases: Array<[number, string, string, string, number, string]> = [
    [3100, '2026-12-01', '2027-01-01', '2026-12-11', 2100, '21 of 31 days'],
    [3100, '2026-12-01', '2027-01-01', '2026-12-01', 3100, 'the whole period'],
    [3100, '2026-12-01', '2027-01-01', '2026-12-31', 100, 'the last day'],
    [3100, '2026-12-01', '2027-01-01', '2027-01-01', 0, 'the period is over'],
    [3100, '2026-12-01', '2027-01-01', '2026-11-30', 0, 'before the period'],
    [1999, '2026-12-01', '2027-01-01', '2026-12-11', 1354, '1999 × 21/31 = 1354.16'],
    [999, '2027-02-01', '2027-03-01', '2027-02-15', 500, '999 × 14/28 = 499.5: half away from zero'],
    [19900, '2026-01-01', '2027-01-01', '2026-07-02', 9977, 'a year: 19900 × 183/365'],
    [0, '2026-12-01', '2027-01-01', '2026-12-11', 0, 'free'],
  ];
  for (const [price, start, end, date, want, name] of cases) t.equal(prorate(price, start, end, date), want, name);
});
