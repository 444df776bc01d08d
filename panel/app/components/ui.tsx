/** Small building blocks shared by every page. */
import type { ReactNode } from 'react';
import { useActionData, useRouteLoaderData } from 'react-router';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <title>{`${title} · Hostplane`}</title>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="muted mt-1 text-sm">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({
  title,
  children,
  actions,
  className = '',
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className}`} aria-label={title}>
      {title ? (
        <header className="flex items-center justify-between gap-3 border-b border-slate-200 px-5 py-3 dark:border-slate-800">
          <h2 className="text-base font-semibold">{title}</h2>
          {actions}
        </header>
      ) : null}
      <div className="p-5">{children}</div>
    </section>
  );
}

const BADGE: Record<string, string> = {
  green: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200',
  amber: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  red: 'bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200',
  blue: 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
  gray: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
};

const STATUS_COLOR: Record<string, string> = {
  active: 'green',
  started: 'green',
  ok: 'green',
  enabled: 'green',
  true: 'green',
  public: 'green',
  pending: 'amber',
  provisioning: 'blue',
  waiting: 'blue',
  running: 'blue',
  scheduled: 'blue',
  retrying: 'amber',
  degraded: 'amber',
  hidden: 'gray',
  reseller_only: 'blue',
  suspended: 'red',
  failed: 'red',
  dead: 'red',
  error: 'red',
  cancelled: 'gray',
  deleted: 'gray',
  disabled: 'gray',
  false: 'gray',
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  const value = status ?? 'unknown';
  const color = BADGE[STATUS_COLOR[value] ?? 'gray'];
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${color}`}>
      {value.replace(/_/g, ' ')}
    </span>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center dark:border-slate-700">
      <p className="font-medium">{title}</p>
      {children ? <div className="muted mt-1 text-sm">{children}</div> : null}
    </div>
  );
}

export function Alert({ kind, children }: { kind: 'error' | 'success' | 'info' | 'warning'; children: ReactNode }) {
  const styles = {
    error: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100',
    success:
      'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100',
    info: 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100',
    warning: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100',
  }[kind];
  return (
    <div role={kind === 'error' ? 'alert' : 'status'} className={`rounded-md border px-4 py-3 text-sm ${styles}`}>
      {children}
    </div>
  );
}

/** A labelled input with its error beside it (aria-describedby), for forms that work without JS. */
export function Field({
  id: givenId,
  name,
  label,
  type = 'text',
  error,
  hint,
  defaultValue,
  required,
  autoComplete,
  children,
  ...rest
}: {
  /** Defaults to `f-<name>`; give one when two forms on a page share a field name. */
  id?: string;
  name: string;
  label: string;
  type?: string;
  error?: string | undefined;
  hint?: ReactNode;
  defaultValue?: string | number | undefined;
  required?: boolean;
  autoComplete?: string;
  children?: ReactNode;
  inputMode?: 'numeric' | 'text' | 'email';
  placeholder?: string;
  pattern?: string;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  autoFocus?: boolean;
  /** Refill from the values of a refused submission (default: yes, except passwords). */
  refill?: boolean;
}) {
  // After a refused post the page renders again; without JavaScript the browser would show the
  // inputs empty, so they take back what was sent (the action returns `values`).
  const submitted = (useActionData() as { values?: Record<string, string> } | undefined)?.values;
  const { refill = type !== 'password', ...inputProps } = rest;
  const shown = refill && submitted && name in submitted ? submitted[name] : defaultValue;
  const id = givenId ?? `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
        {required ? (
          <span aria-hidden="true" className="text-red-700 dark:text-red-400">
            {' '}
            *
          </span>
        ) : null}
      </label>
      {children ?? (
        <input
          id={id}
          name={name}
          type={type}
          className="input"
          defaultValue={shown}
          required={required}
          autoComplete={autoComplete}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          {...inputProps}
        />
      )}
      {hint ? (
        <p id={`${id}-hint`} className="muted text-xs">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * What every form echoes: the form token of the browser (the panel checks it when the origin is
 * hidden, see lib/form-token.server.ts) and, when signed in, the session's CSRF token (the API
 * checks it).
 */
export function CsrfInput() {
  const root = useRouteLoaderData<{ formToken?: string }>('root');
  const data = useRouteLoaderData<{ csrf: string | null }>('routes/app-layout');
  return (
    <>
      {root?.formToken ? <input type="hidden" name="_formToken" value={root.formToken} /> : null}
      {data?.csrf ? <input type="hidden" name="_csrf" value={data.csrf} /> : null}
    </>
  );
}

export function formatDate(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

export function formatMoney(minor: unknown, currency = 'USD'): string {
  if (typeof minor !== 'number') return '—';
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 100);
}

export function formatBytes(value: unknown): string {
  if (typeof value !== 'number') return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = value;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
