/**
 * A line chart rendered on the server as SVG: no JavaScript, readable by screen readers (a
 * title, and the figures as a table in a <details> beside it). Values come from a plugin's API
 * route; anything that is not a finite number counts as 0.
 */
import { COLOURS, formatAxis, HEIGHT, label, numberAt, PAD, pathOf, WIDTH } from '../lib/chart';

export interface ChartSeries {
  field: string;
  label: string;
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
