/** The audit log with filters (action, actor e-mail, target, time range); older entries by cursor. */
import { Form, Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { Field, PageHeader, formatDate } from '../components/ui';
import { Api, must } from '../lib/api.server';
import { actorText, detailFields, targetPath, type AuditEntry, type AuditPerson } from '../lib/audit';

const FILTERS = ['action', 'actorEmail', 'target', 'since', 'until'] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, url.searchParams.get(f)?.trim() ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const query = new URLSearchParams({ limit: '50' });
  for (const f of ['action', 'actorEmail', 'target'] as const) if (filters[f]) query.set(f, filters[f]);
  if (filters.since) query.set('since', new Date(`${filters.since}T00:00:00Z`).toISOString());
  if (filters.until) query.set('until', new Date(`${filters.until}T23:59:59Z`).toISOString());
  const before = url.searchParams.get('beforeId');
  if (before && /^\d+$/.test(before)) query.set('beforeId', before);
  const res = await new Api(request, context).get<{ items: AuditEntry[]; nextBeforeId: string | null }>(`/audit?${query}`);
  if (!res.ok && res.status === 400) return { items: [] as AuditEntry[], nextBeforeId: null, filters, error: res.error.message };
  return { ...must(request, res), filters, error: null as string | null };
}

function PersonLink({ person }: { person: AuditPerson }) {
  return (
    <Link className="link" to={`/users?${new URLSearchParams({ search: person.email })}`} title={person.email}>
      {person.name || person.email}
    </Link>
  );
}

function Who({ entry }: { entry: AuditEntry }) {
  if (!entry.actor) return <span className="muted">{actorText(entry)}</span>;
  return (
    <span data-testid="audit-who">
      {entry.impersonator ? (
        <>
          <PersonLink person={entry.impersonator} /> <span className="muted">as</span>{' '}
        </>
      ) : null}
      <PersonLink person={entry.actor} />
      <span className="muted block text-xs">{entry.impersonator?.email ?? entry.actor.email}</span>
    </span>
  );
}

function Target({ target }: { target: AuditEntry['target'] }) {
  if (!target) return <>—</>;
  const path = targetPath(target);
  const text = target.label ?? target.type;
  if (!target.label && !path) return <>{target.type}</>;
  return (
    <>
      <span className="muted block text-xs">{target.type}</span>
      {path ? (
        <Link className="link" to={path}>
          {text}
        </Link>
      ) : (
        text
      )}
    </>
  );
}

function Details({ details }: { details: Record<string, unknown> }) {
  const fields = detailFields(details);
  if (fields.length === 0) return <>—</>;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-xs">
      {fields.map((f) => (
        <div key={f.label} className="contents">
          <dt className="muted">{f.label}</dt>
          <dd className="break-all">{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export default function Audit() {
  const { items, nextBeforeId, filters, error } = useLoaderData<typeof loader>();
  const more = new URLSearchParams({ ...filters, beforeId: nextBeforeId ?? '' });
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, from where. Newest first." />
      <Form method="get" className="card mb-4 grid gap-3 p-4 sm:grid-cols-3 lg:grid-cols-6 lg:items-end" role="search">
        <Field
          name="action"
          label="Action"
          placeholder="e.g. auth.login.failed"
          defaultValue={filters.action}
          error={error ?? undefined}
        />
        <Field name="actorEmail" label="Actor e-mail" placeholder="part of an e-mail" defaultValue={filters.actorEmail} />
        <Field name="target" label="Target" placeholder="e-mail, package, domain" defaultValue={filters.target} />
        <Field name="since" label="From" type="date" defaultValue={filters.since} />
        <Field name="until" label="To" type="date" defaultValue={filters.until} />
        <button type="submit" className="btn-secondary">
          Filter
        </button>
      </Form>
      <DataTable
        caption="Audit entries"
        rows={items}
        rowKey={(e) => e.id}
        empty="Nothing recorded for these filters."
        columns={[
          { label: 'When', render: (e) => formatDate(e.at) },
          { label: 'Who', render: (e) => <Who entry={e} /> },
          { label: 'Action', render: (e) => <code className="font-mono text-xs">{e.action}</code> },
          { label: 'Target', render: (e) => <Target target={e.target} /> },
          { label: 'Details', render: (e) => <Details details={e.details} /> },
          { label: 'IP', render: (e) => e.ip ?? '—' },
        ]}
      />
      {nextBeforeId ? (
        <p className="mt-4">
          <Link className="link" to={`?${more}`}>
            Older entries
          </Link>
        </p>
      ) : null}
    </>
  );
}
