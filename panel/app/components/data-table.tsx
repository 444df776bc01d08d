/** A responsive table: scrolls sideways on a phone, says what to do when empty. */
import type { ReactNode } from 'react';
import { EmptyState } from './ui';

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
  className?: string;
}

export function DataTable<T>({
  caption,
  rows,
  columns,
  empty,
  rowKey,
}: {
  caption: string;
  rows: T[];
  columns: Column<T>[];
  empty: ReactNode;
  rowKey?: (row: T, index: number) => string;
}) {
  if (rows.length === 0) return <EmptyState title={caption}>{empty}</EmptyState>;
  return (
    <div className="card overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 dark:bg-slate-900">
          <tr>
            {columns.map((c) => (
              <th
                key={c.label}
                scope="col"
                className="px-4 py-2.5 text-left font-semibold whitespace-nowrap text-slate-700 dark:text-slate-300"
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((row, i) => (
            <tr key={rowKey ? rowKey(row, i) : i} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
              {columns.map((c) => (
                <td key={c.label} className={`px-4 py-2.5 align-middle ${c.className ?? ''}`}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
