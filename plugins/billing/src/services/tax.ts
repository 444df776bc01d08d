/**
 * Which tax applies to a customer of an issuer: the rate of the customer's country and region
 * (falling back to the country's), or reverse charge for an EU business in another EU country
 * than the issuer with a VAT id of a valid format. The format is checked offline (VIES is not
 * reachable here); a wrong format is refused when the profile is saved.
 */

export const EU_COUNTRIES = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

// VAT identification number formats (the country prefix, then its national pattern; Greece's prefix is EL).
const VAT_FORMATS: Record<string, RegExp> = {
  AT: /^ATU\d{8}$/,
  BE: /^BE[01]\d{9}$/,
  BG: /^BG\d{9,10}$/,
  CY: /^CY\d{8}[A-Z]$/,
  CZ: /^CZ\d{8,10}$/,
  DE: /^DE\d{9}$/,
  DK: /^DK\d{8}$/,
  EE: /^EE\d{9}$/,
  ES: /^ES[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^FI\d{8}$/,
  FR: /^FR[A-HJ-NP-Z0-9]{2}\d{9}$/,
  GR: /^EL\d{9}$/,
  HR: /^HR\d{11}$/,
  HU: /^HU\d{8}$/,
  IE: /^IE\d[A-Z0-9+*]\d{5}[A-Z]{1,2}$/,
  IT: /^IT\d{11}$/,
  LT: /^LT(\d{9}|\d{12})$/,
  LU: /^LU\d{8}$/,
  LV: /^LV\d{11}$/,
  MT: /^MT\d{8}$/,
  NL: /^NL\d{9}B\d{2}$/,
  PL: /^PL\d{10}$/,
  PT: /^PT\d{9}$/,
  RO: /^RO\d{2,10}$/,
  SE: /^SE\d{12}$/,
  SI: /^SI\d{8}$/,
  SK: /^SK\d{10}$/,
};

/** The VAT id without spaces, dots and dashes, upper case. */
export function normaliseVatId(vatId: string): string {
  return vatId.replace(/[\s.-]/g, '').toUpperCase();
}

/** True when `vatId` has the format of a VAT id of `country` (an EU member state). */
export function isValidVatIdFormat(vatId: string, country: string): boolean {
  const format = VAT_FORMATS[country];
  return format !== undefined && format.test(normaliseVatId(vatId));
}

export interface TaxRate {
  country: string;
  region: string | null;
  name: string;
  rateBp: number;
}

export interface CustomerTaxProfile {
  country: string | null;
  region: string | null;
  vatId: string | null;
  isBusiness: boolean;
}

export interface AppliedTax {
  name: string;
  rateBp: number;
  reverseCharge: boolean;
}

export const NO_TAX: AppliedTax = { name: 'No tax', rateBp: 0, reverseCharge: false };

/** The tax of every line of an invoice from `issuerCountry` to `customer`. */
export function resolveTax(issuerCountry: string | null, customer: CustomerTaxProfile, rates: readonly TaxRate[]): AppliedTax {
  const country = customer.country ?? issuerCountry;
  if (!country) return NO_TAX;
  if (
    customer.isBusiness &&
    customer.vatId &&
    issuerCountry &&
    country !== issuerCountry &&
    EU_COUNTRIES.has(country) &&
    EU_COUNTRIES.has(issuerCountry) &&
    isValidVatIdFormat(customer.vatId, country)
  ) {
    return { name: 'Reverse charge', rateBp: 0, reverseCharge: true };
  }
  const region = customer.region?.trim().toUpperCase() || null;
  const match =
    (region ? rates.find((r) => r.country === country && r.region?.toUpperCase() === region) : undefined) ??
    rates.find((r) => r.country === country && r.region === null);
  return match ? { name: match.name, rateBp: match.rateBp, reverseCharge: false } : NO_TAX;
}
