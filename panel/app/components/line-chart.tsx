/**
 * A line chart rendered on the server as SVG: no JavaScript, readable by screen readers (a
 * title, and the figures as a table in a <details> beside it). Values come from a plugin's API
 * route; anything that is not a finite number counts as 0.
 */
import { formatBytes } from './ui';

export interface ChartSeries {
  field: string;
  label: string;
}

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };
const COLOURS = ['#2563eb', '#d97706', '#dc2626', '#059669', '#7c3aed', '#0891b2'];

const numberAt = (row: Record<string, unknown>, field: string): number => {
  const v = row[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

function label(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return value.slice(5, 10);
  return String(value ?? '');
}

export function formatAxis(value: number, format: 'number' | 'bytes' | undefined): string {
  if (format === 'bytes') return formatBytes(value);
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

export function LineChart({
  title,
  rows,
  x,
  series,
  format,
}: {
  title: string;
  rows: Record<string, unknown>[];
  x: string;
  series: ChartSeries[];
  format?: 'number' | 'bytes';
}) {
  const shown = series.slice(0, COLOURS.length);
  if (rows.length === 0) return <p className="muted">No data for this period yet.</p>;
  const max = Math.max(1, ...rows.flatMap((r) => shown.map((s) => numberAt(r, s.field))));
  const first = label(rows[0]![x]);
  const last = label(rows[rows.length - 1]![x]);
  return (
    <figure>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} className="w-full max-w-2xl">
        <title>{title}</title>
        <line
          x1={PAD.left}
          y1={HEIGHT - PAD.bottom}
          x2={WIDTH - PAD.right}
          y2={HEIGHT - PAD.bottom}
          stroke="currentColor"
          strokeOpacity="0.3"
        />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={HEIGHT - PAD.bottom} stroke="currentColor" strokeOpacity="0.3" />
        <text x={PAD.left - 6} y={PAD.top + 4} textAnchor="end" fontSize="11" fill="currentColor">
          {formatAxis(max, format)}
        </text>
        <text x={PAD.left - 6} y={HEIGHT - PAD.bottom} textAnchor="end" fontSize="11" fill="currentColor">
          0
        </text>
        <text x={PAD.left} y={HEIGHT - 8} fontSize="11" fill="currentColor">
          {first}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end" fontSize="11" fill="currentColor">
          {last}
        </text>
        {shown.map((s, i) => (
          <path
            key={s.field}
            d={pathOf(
              rows.map((r) => numberAt(r, s.field)),
              max,
            )}
            fill="none"
            stroke={COLOURS[i]}
            strokeWidth="2"
          />
        ))}
      </svg>
      <figcaption className="mt-1 flex gap-4 text-sm">
        {shown.map((s, i) => (
          <span key={s.field}>
            <span aria-hidden="true" style={{ color: COLOURS[i] }}>
              ■{' '}
            </span>
            {s.label}
          </span>
        ))}
      </figcaption>
      <details className="mt-2 text-sm">
        <summary>Figures</summary>
        <table className="mt-1">
          <thead>
            <tr>
              <th scope="col">{x === 'at' ? 'Day' : x}</th>
              {shown.map((s) => (
                <th key={s.field} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>{label(r[x])}</td>
                {shown.map((s) => (
                  <td key={s.field}>{formatAxis(numberAt(r, s.field), format)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
