/**
 * A value of a plugin page's table column or detail field (sdk/src/panel.ts `PanelColumn`) in
 * its format: a date, a status badge, money in the row's currency, bytes, an outside link, or
 * text; with `link`, a link to another of the plugin's pages.
 */
import type { ReactNode } from 'react';
import { fillPath, safePanelLink, valueAt } from '../lib/placeholders';
import type { PanelColumn } from '../lib/types';
import { StatusBadge, formatBytes, formatDate, formatMoney } from './ui';

function formatValue(value: unknown, format: PanelColumn['format'], currency?: unknown): ReactNode {
  switch (format) {
    case 'date':
      return formatDate(value);
    case 'status':
      return <StatusBadge status={value === null || value === undefined ? null : String(value)} />;
    case 'money':
      return typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? formatMoney(value, currency) : formatMoney(value);
    case 'bytes':
      return formatBytes(value);
    case 'link':
      return typeof value === 'string' && /^https?:\/\//.test(value) ? (
        <a className="link" href={value} rel="noreferrer">
          {value}
        </a>
      ) : (
        String(value ?? '—')
      );
    default:
      return value === null || value === undefined || value === ''
        ? '—'
        : typeof value === 'boolean'
          ? value
            ? 'Yes'
            : 'No'
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
  }
}

/** `column`'s value of `row` (of `parent`, for an array field), formatted, linked when the column says so. */
export function PluginCell({ row, column, parent }: { row: unknown; column: PanelColumn; parent?: unknown }) {
  // A row of an array field (an invoice's line) may leave its currency to the resource.
  const currency = column.currencyField
    ? (valueAt(row, column.currencyField) ?? valueAt(parent, column.currencyField))
    : undefined;
  const shown = formatValue(valueAt(row, column.field), column.format, currency);
  const href = column.link ? safePanelLink(fillPath(column.link, (n) => valueAt(row, n))) : null;
  return href ? (
    <a className="link" href={href}>
      {shown}
    </a>
  ) : (
    <>{shown}</>
  );
}
