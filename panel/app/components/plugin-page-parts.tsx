/**
 * Parts of a plugin-declared page (routes/plugin-page.tsx): the buttons on a table row, the
 * question asked before a destructive call, and what an answer reveals. Plain forms, so they
 * work without JavaScript.
 */
import { Form, Link } from 'react-router';
import { offered } from '../lib/conditions';
import { placeholdersOf, valueAt } from '../lib/placeholders';
import type { PanelRowAction } from '../lib/types';
import { Alert, Card, CsrfInput } from './ui';

/** A question the action answered with, and the fields that repeat the call once confirmed. */
export interface Confirmation {
  question: string;
  label: string;
  danger: boolean;
  fields: Record<string, string>;
}

/** Fields of an answer to show, in words. */
export interface Revealed {
  title: string;
  once: boolean;
  fields: Array<{ label: string; value: string }>;
}

/**
 * One small form per action the caller is offered on this row (its permission and `when`
 * tests); `name` (the row's first column) tells screen readers which row. The index posted is
 * the action's place in the declaration, so hidden actions do not shift the others. A row of
 * an array field takes what it lacks (a condition's field, a placeholder) from `parent`.
 */
export function RowActions({
  actions,
  section,
  row,
  parent,
  name,
  formAction,
  permissions,
  size = 'small',
}: {
  actions: PanelRowAction[];
  section: number;
  row: Record<string, unknown>;
  parent?: unknown;
  name: string;
  formAction: string;
  permissions: readonly string[];
  size?: 'small' | 'normal';
}) {
  return (
    <div className="flex flex-wrap gap-2">
      {actions.map((action, i) => {
        if (!offered(action, row, permissions, parent)) return null;
        const needed = new Set([
          ...placeholdersOf(action.route),
          ...placeholdersOf(action.confirm),
          ...placeholdersOf(action.next),
        ]);
        return (
          <Form key={i} method="post" action={formAction}>
            <CsrfInput />
            <input type="hidden" name="_section" value={section} />
            <input type="hidden" name="_action" value={i} />
            {[...needed].map((field) => {
              const value = valueAt(row, field) ?? valueAt(parent, field);
              return value === undefined || value === null || typeof value === 'object' ? null : (
                <input key={field} type="hidden" name={`_v.${field}`} value={String(value)} />
              );
            })}
            <button
              type="submit"
              className={`${action.danger ? 'btn-danger' : 'btn-secondary'}${size === 'small' ? ' px-2.5 py-1 text-xs' : ''}`}
              aria-label={name ? `${action.label} ${name}` : action.label}
            >
              {action.label}
            </button>
          </Form>
        );
      })}
    </div>
  );
}

export function ConfirmCard({ confirm, formAction }: { confirm: Confirmation; formAction: string }) {
  return (
    <Card title="Please confirm">
      <Form method="post" action={formAction} className="space-y-4">
        <CsrfInput />
        {Object.entries(confirm.fields).map(([key, value]) => (
          <input key={key} type="hidden" name={key} value={value} />
        ))}
        <input type="hidden" name="_confirmed" value="1" />
        <p>{confirm.question}</p>
        <div className="flex gap-3">
          <button type="submit" className={confirm.danger ? 'btn-danger' : 'btn-primary'}>
            {confirm.label}
          </button>
          <Link to={formAction} className="btn-secondary">
            Cancel
          </Link>
        </div>
      </Form>
    </Card>
  );
}

export function ResultCard({ revealed }: { revealed: Revealed }) {
  return (
    <Card title={revealed.title}>
      {revealed.once ? (
        <div className="mb-4">
          <Alert kind="warning">Shown only this once: copy it now. It cannot be shown again.</Alert>
        </div>
      ) : null}
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
        {revealed.fields.map((f) => (
          <div key={f.label} className="contents">
            <dt className="font-semibold">{f.label}</dt>
            <dd>
              <code className="rounded bg-slate-100 px-1.5 py-0.5 break-all select-all dark:bg-slate-800">{f.value}</code>
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

/**
 * Where an action's answer sends the browser (a payment provider's hosted page): at once by a
 * refresh, and by a link should the browser not follow it. A 302 after the form post would be
 * stopped by the panel's `form-action 'self'`; a refresh or a link is a navigation of its own.
 */
export function LeaveCard({ url }: { url: string }) {
  const origin = new URL(url).host;
  return (
    <Card title="Continue">
      <meta httpEquiv="refresh" content={`0;url=${url}`} />
      <p className="mb-4">You are taken to {origin} to finish.</p>
      <a className="btn-primary" href={url} rel="noreferrer">
        Continue to {origin}
      </a>
    </Card>
  );
}
