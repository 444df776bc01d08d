/** The audit log with filters (action, actor, time range); older entries by cursor. */
import { Form, Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { Field, PageHeader, formatDate } from '../components/ui';
import { Api, must } from '../lib/api.server';

interface Entry {
  id: string;
  at?: string;
  createdAt?: string;
  source: string;
  actorId: string | null;
  action: string;
  target: { type: string; id: string } | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const filters = {
    action: url.searchParams.get('action')?.trim() ?? '',
    actorId: url.searchParams.get('actorId')?.trim() ?? '',
    since: url.searchParams.get('since') ?? '',
    until: url.searchParams.get('until') ?? '',
  };
  const query = new URLSearchParams({ limit: '50' });
  if (filters.action) query.set('action', filters.action);
  if (filters.actorId) query.set('actorId', filters.actorId);
  if (filters.since) query.set('since', new Date(`${filters.since}T00:00:00Z`).toISOString());
  if (filters.until) query.set('until', new Date(`${filters.until}T23:59:59Z`).toISOString());
  const before = url.searchParams.get('beforeId');
  if (before && /^\d+$/.test(before)) query.set('beforeId', before);
  const res = await new Api(request, context).get<{ items: Entry[]; nextBeforeId: string | null }>(`/audit?${query}`);
  if (!res.ok && res.status === 400) return { items: [] as Entry[], nextBeforeId: null, filters, error: res.error.message };
  return { ...must(request, res), filters, error: null as string | null };
}

export default function Audit() {
  const { items, nextBeforeId, filters, error } = useLoaderData<typeof loader>();
  const more = new URLSearchParams({ ...filters, beforeId: nextBeforeId ?? '' });
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, from where. Newest first." />
      <Form method="get" className="card mb-4 grid gap-3 p-4 sm:grid-cols-5 sm:items-end" role="search">
        <Field
          name="action"
          label="Action"
          placeholder="e.g. auth.login.failed"
          defaultValue={filters.action}
          error={error ?? undefined}
        />
        <Field name="actorId" label="Actor id" defaultValue={filters.actorId} />
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
          { label: 'When', render: (e) => formatDate(e.at ?? e.createdAt) },
          { label: 'Action', render: (e) => <code className="font-mono text-xs">{e.action}</code> },
          { label: 'Actor', render: (e) => <span className="font-mono text-xs">{e.actorId?.slice(0, 8) ?? e.source}</span> },
          { label: 'Target', render: (e) => (e.target ? `${e.target.type} ${e.target.id.slice(0, 8)}` : '—') },
          { label: 'IP', render: (e) => e.ip ?? '—' },
          {
            label: 'Details',
            render: (e) => <code className="font-mono text-xs break-all">{JSON.stringify(e.details).slice(0, 120)}</code>,
          },
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
