/** Tax, rounding and period arithmetic as tables (docs/decisions/0016). */
import t from 'tap';
import { divRound, formatMoney, invoiceTotals } from '../src/services/money.js';
import { addCycle, addDays, isDate } from '../src/services/periods.js';
import { isValidVatIdFormat, resolveTax, type TaxRate } from '../src/services/tax.js';

t.test('division rounds half away from zero', async (t) => {
  const cases: Array<[bigint, bigint, bigint]> = [
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [15n, 10n, 2n],
    [-5n, 10n, -1n],
    [-4n, 10n, 0n],
    [-15n, 10n, -2n],
    [0n, 7n, 0n],
    [1999n * 1900n, 10_000n, 380n], // 379.81
  ];
  for (const [n, d, want] of cases) t.equal(divRound(n, d), want, `${n}/${d}`);
});

t.test('invoice totals, exclusive and inclusive, rounded once per rate', async (t) => {
  const vat = (amount: number, rateBp = 1900, taxName = 'VAT') => ({ amount, taxRateBp: rateBp, taxName });
  const cases: Array<{
    name: string;
    lines: ReturnType<typeof vat>[];
    inclusive: boolean;
    want: { subtotal: number; taxTotal: number; total: number };
  }> = [
    {
      name: 'one line 19 % exclusive',
      lines: [vat(1999)],
      inclusive: false,
      want: { subtotal: 1999, taxTotal: 380, total: 2379 },
    },
    {
      name: 'ten 0.05 lines: tax on the sum, not per line',
      lines: Array(10).fill(vat(5)),
      inclusive: false,
      want: { subtotal: 50, taxTotal: 10, total: 60 },
    },
    {
      name: 'inclusive keeps the listed gross exact',
      lines: [vat(1999)],
      inclusive: true,
      want: { subtotal: 1680, taxTotal: 319, total: 1999 },
    },
    { name: 'inclusive 7 %', lines: [vat(1070, 700)], inclusive: true, want: { subtotal: 1000, taxTotal: 70, total: 1070 } },
    {
      name: 'two rates grouped separately',
      lines: [vat(1000), vat(1000, 700), vat(500)],
      inclusive: false,
      want: { subtotal: 2500, taxTotal: 355, total: 2855 },
    },
    {
      name: 'zero rate (reverse charge)',
      lines: [vat(5000, 0, 'Reverse charge')],
      inclusive: false,
      want: { subtotal: 5000, taxTotal: 0, total: 5000 },
    },
    {
      name: 'a credit line reduces the base',
      lines: [vat(1000), vat(-250)],
      inclusive: false,
      want: { subtotal: 750, taxTotal: 143, total: 893 },
    },
    { name: 'no lines', lines: [], inclusive: false, want: { subtotal: 0, taxTotal: 0, total: 0 } },
  ];
  for (const c of cases) t.match(invoiceTotals(c.lines, c.inclusive), c.want, c.name);
  t.same(invoiceTotals([vat(1000), vat(1000, 700)], false).taxes, [
    { name: 'VAT', rateBp: 1900, net: 1000, tax: 190 },
    { name: 'VAT', rateBp: 700, net: 1000, tax: 70 },
  ]);
  t.throws(() => invoiceTotals([vat(10.5)], false), RangeError, 'never a fraction of a minor unit');
  t.throws(() => invoiceTotals([vat(100, 10_001)], false), RangeError);
});

t.test('money is printed in the currency’s minor unit', async (t) => {
  t.equal(formatMoney(1999, 'EUR'), '19.99 EUR');
  t.equal(formatMoney(5, 'EUR'), '0.05 EUR');
  t.equal(formatMoney(-250, 'USD'), '-2.50 USD');
  t.equal(formatMoney(1500, 'JPY'), '1500 JPY');
  t.equal(formatMoney(1234, 'KWD'), '1.234 KWD');
});

t.test('VAT id formats', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['DE123456789', 'DE', true],
    ['de 123 456 789', 'DE', true],
    ['DE12345678', 'DE', false],
    ['FR12345678901', 'FR', true],
    ['ATU12345678', 'AT', true],
    ['AT12345678', 'AT', false],
    ['NL123456789B01', 'NL', true],
    ['EL123456789', 'GR', true],
    ['GR123456789', 'GR', false],
    ['DE123456789', 'FR', false],
    ['US123456789', 'US', false],
    ['DE123456789\u0000', 'DE', false],
  ];
  for (const [id, country, want] of cases) t.equal(isValidVatIdFormat(id, country), want, `${JSON.stringify(id)} in ${country}`);
});

t.test('which tax applies', async (t) => {
  const rates: TaxRate[] = [
    { country: 'DE', region: null, name: 'USt', rateBp: 1900 },
    { country: 'FR', region: null, name: 'TVA', rateBp: 2000 },
    { country: 'US', region: null, name: 'No sales tax', rateBp: 0 },
    { country: 'US', region: 'CA', name: 'CA sales tax', rateBp: 725 },
  ];
  const person = (country: string | null, region: string | null = null) => ({ country, region, vatId: null, isBusiness: false });
  const business = (country: string, vatId: string) => ({ country, region: null, vatId, isBusiness: true });
  const cases: Array<
    [string, string | null, ReturnType<typeof person>, { name: string; rateBp: number; reverseCharge: boolean }]
  > = [
    ['home country', 'DE', person('DE'), { name: 'USt', rateBp: 1900, reverseCharge: false }],
    ['EU consumer abroad pays their country’s rate', 'DE', person('FR'), { name: 'TVA', rateBp: 2000, reverseCharge: false }],
    [
      'EU business abroad with a valid VAT id: reverse charge',
      'DE',
      business('FR', 'FR12345678901'),
      { name: 'Reverse charge', rateBp: 0, reverseCharge: true },
    ],
    [
      'EU business abroad with a malformed VAT id pays VAT',
      'DE',
      business('FR', 'FR123'),
      { name: 'TVA', rateBp: 2000, reverseCharge: false },
    ],
    [
      'business in the issuer’s own country pays VAT',
      'DE',
      business('DE', 'DE123456789'),
      { name: 'USt', rateBp: 1900, reverseCharge: false },
    ],
    [
      'a region’s rate wins over the country’s',
      'DE',
      person('US', 'ca'),
      { name: 'CA sales tax', rateBp: 725, reverseCharge: false },
    ],
    [
      'a region without a rate falls back to the country',
      'DE',
      person('US', 'NY'),
      { name: 'No sales tax', rateBp: 0, reverseCharge: false },
    ],
    ['no rate for the country: no tax', 'DE', person('JP'), { name: 'No tax', rateBp: 0, reverseCharge: false }],
    ['no country known: the issuer’s', 'DE', person(null), { name: 'USt', rateBp: 1900, reverseCharge: false }],
    ['nothing known at all', null, person(null), { name: 'No tax', rateBp: 0, reverseCharge: false }],
  ];
  for (const [name, issuer, customer, want] of cases) t.same(resolveTax(issuer, customer, rates), want, name);
});

t.test('billing periods', async (t) => {
  const cases: Array<[string, 'monthly' | 'quarterly' | 'yearly', string]> = [
    ['2026-12-01', 'monthly', '2027-01-01'],
    ['2026-01-31', 'monthly', '2026-02-28'],
    ['2028-01-31', 'monthly', '2028-02-29'],
    ['2026-11-30', 'quarterly', '2027-02-28'],
    ['2028-02-29', 'yearly', '2029-02-28'],
    ['2026-05-15', 'yearly', '2027-05-15'],
  ];
  for (const [from, cycle, want] of cases) t.equal(addCycle(from, cycle), want, `${from} + ${cycle}`);
  t.equal(addDays('2026-12-25', 14), '2027-01-08');
  t.ok(isDate('2028-02-29'));
  t.notOk(isDate('2026-02-29'));
  t.notOk(isDate('2026-13-01'));
  t.notOk(isDate('yesterday'));
});
