/** The arithmetic of the panel's SVG line chart (components/line-chart.tsx): pure, tested alone. */

export const WIDTH = 640;
export const HEIGHT = 200;
export const PAD = { left: 64, right: 12, top: 12, bottom: 28 };
export const COLOURS = ['#2563eb', '#d97706', '#dc2626', '#059669', '#7c3aed', '#0891b2'];

/** A row's value of `field` when it is a finite number, else 0. */
export const numberAt = (row: Record<string, unknown>, field: string): number => {
  const v = row[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

/** An x label: `MM-DD` of an ISO time, else the value as text. */
export function label(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return value.slice(5, 10);
  return String(value ?? '');
}

/** Bytes in binary units, as the panel's tables show them. */
function bytes(value: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = value;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatAxis(value: number, format: 'number' | 'bytes' | undefined): string {
  if (format === 'bytes') return bytes(value);
  return value >= 10_000 ? `${Math.round(value / 1000)}k` : String(Math.round(value));
}

/** Points of one series as an SVG path, x spread evenly, y scaled to `max`. */
export function pathOf(values: number[], max: number): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values
    .map(
      (v, i) =>
        `${i === 0 ? 'M' : 'L'}${(PAD.left + i * step).toFixed(1)},${(PAD.top + h - (max > 0 ? (v / max) * h : 0)).toFixed(1)}`,
    )
    .join(' ');
}
