/**
 * Money arithmetic in integer minor units (docs/decisions/0016, "Rounding"): amounts are safe
 * integers, intermediate products are BigInt, and a division rounds half away from zero once,
 * per tax rate of an invoice (never per line), so a 19 % invoice of ten 0.05 lines taxes 0.50
 * and not ten roundings of 0.0095.
 */

/** `n / d` rounded half away from zero (`d` > 0). */
export function divRound(n: bigint, d: bigint): bigint {
  const sign = n < 0n ? -1n : 1n;
  const a = n < 0n ? -n : n;
  return sign * ((2n * a + d) / (2n * d));
}

/** One line as the totals see it. */
export interface TaxedAmount {
  /** Minor units; as listed (gross when prices include tax, net otherwise). May be negative (credit). */
  amount: number;
  taxName: string;
  /** Basis points, 0–10000. */
  taxRateBp: number;
}

export interface TaxGroup {
  name: string;
  rateBp: number;
  net: number;
  tax: number;
}

export interface InvoiceTotals {
  subtotal: number;
  taxTotal: number;
  total: number;
  taxes: TaxGroup[];
}

/**
 * Totals of lines. Exclusive prices: tax = round(net × rate). Inclusive prices: the listed
 * gross stays exact, net = round(gross / (1 + rate)) and tax = gross − net.
 */
export function invoiceTotals(lines: readonly TaxedAmount[], pricesIncludeTax: boolean): InvoiceTotals {
  const groups = new Map<string, { name: string; rateBp: number; sum: bigint }>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amount)) throw new RangeError(`amount ${line.amount} is not a whole number of minor units`);
    if (!Number.isInteger(line.taxRateBp) || line.taxRateBp < 0 || line.taxRateBp > 10_000)
      throw new RangeError('tax rate out of range');
    const key = `${line.taxRateBp}\u0000${line.taxName}`;
    const group = groups.get(key) ?? { name: line.taxName, rateBp: line.taxRateBp, sum: 0n };
    group.sum += BigInt(line.amount);
    groups.set(key, group);
  }
  const taxes: TaxGroup[] = [];
  let subtotal = 0n;
  let taxTotal = 0n;
  for (const g of groups.values()) {
    const rate = BigInt(g.rateBp);
    let net: bigint;
    let tax: bigint;
    if (pricesIncludeTax) {
      net = divRound(g.sum * 10_000n, 10_000n + rate);
      tax = g.sum - net;
    } else {
      net = g.sum;
      tax = divRound(g.sum * rate, 10_000n);
    }
    subtotal += net;
    taxTotal += tax;
    taxes.push({ name: g.name, rateBp: g.rateBp, net: toSafe(net), tax: toSafe(tax) });
  }
  taxes.sort((a, b) => b.rateBp - a.rateBp || a.name.localeCompare(b.name));
  return { subtotal: toSafe(subtotal), taxTotal: toSafe(taxTotal), total: toSafe(subtotal + taxTotal), taxes };
}

function toSafe(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError('amount out of range');
  return n;
}

/** Decimal places of a currency's minor unit (ISO 4217); 2 unless listed. */
const EXPONENTS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  CLP: 0,
  ISK: 0,
  VND: 0,
  HUF: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** `1999, 'EUR'` → `19.99 EUR` (for mails and the CLI; no locale). */
export function formatMoney(amount: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (exp === 0) return `${sign}${abs} ${currency}`;
  const unit = 10 ** exp;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exp, '0')} ${currency}`;
}

/**
 * Net and tax of `gross` credited on an invoice of `total` with `taxTotal`, after
 * `alreadyCredited` of it was credited before (docs/decisions/0034). The tax is the difference
 * of the rounded proportional tax of the cumulative credit before and after, so credits that add
 * up to the invoice give back exactly its tax, never a cent more or less in sum.
 */
export function creditSplit(
  gross: number,
  alreadyCredited: number,
  total: number,
  taxTotal: number,
): { subtotal: number; taxTotal: number } {
  if (!Number.isSafeInteger(gross) || gross <= 0 || alreadyCredited < 0 || alreadyCredited + gross > total)
    throw new RangeError('credit out of range');
  const taxOf = (credited: number) => divRound(BigInt(credited) * BigInt(taxTotal), BigInt(total));
  const tax = toSafe(taxOf(alreadyCredited + gross) - taxOf(alreadyCredited));
  return { subtotal: gross - tax, taxTotal: tax };
}
