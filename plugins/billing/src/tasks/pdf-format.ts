/** Formatting shared by the PDF tasks (plain functions: the tasks run on worker threads). */

/** Minor units as `1234.56 EUR` (`-` in front of negative amounts). */
export function pdfMoney(amount: number, currency: string, exponent: number): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (exponent === 0) return `${sign}${abs} ${currency}`;
  const unit = 10 ** exponent;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exponent, '0')} ${currency}`;
}

/** Basis points as a percentage: 1900 → `19 %`, 725 → `7.25 %`. */
export const pdfPercent = (bp: number): string => `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 2)} %`;
