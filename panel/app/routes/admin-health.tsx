/** System health: the same report load balancers read at /health. */
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { Card, PageHeader, StatusBadge } from '../components/ui';
import { requireUser } from '../lib/api.server';

interface Health {
  ok: boolean;
  database: { ok: boolean; latencyMs: number | null; error?: string };
  plugins: Array<{ id: string; state: string; error: string | null; health: { state: string; reason: string | null } | null }>;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireUser(request, context);
  if (me.user.role !== 'super_admin') throw new Response('Forbidden', { status: 403 });
  // /health is public and outside /v1; read it the same way, in-process.
  const res = await context.api({ method: 'GET', url: '/health' });
  return JSON.parse(res.body) as Health;
}

export default function SystemHealth() {
  const health = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="System health" description="Database reachability and the state each plugin reports." />
      <div className="mb-6 grid gap-4 sm:grid-cols-2">
        <Card title="Overall">
          <StatusBadge status={health.ok ? 'ok' : 'degraded'} />
        </Card>
        <Card title="Database">
          <StatusBadge status={health.database.ok ? 'ok' : 'error'} />{' '}
          <span className="muted text-sm">
            {health.database.latencyMs !== null ? `${health.database.latencyMs.toFixed(1)} ms` : health.database.error}
          </span>
        </Card>
      </div>
      <DataTable
        caption="Plugins"
        rows={health.plugins}
        rowKey={(p) => p.id}
        empty="No plugins."
        columns={[
          { label: 'Plugin', render: (p) => p.id },
          { label: 'State', render: (p) => <StatusBadge status={p.state} /> },
          { label: 'Health', render: (p) => (p.health ? <StatusBadge status={p.health.state} /> : '—') },
          { label: 'Reason', render: (p) => p.error ?? p.health?.reason ?? '—' },
        ]}
      />
    </>
  );
}
