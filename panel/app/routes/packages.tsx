/** Hosting packages I sell (a reseller's own, or all for an admin). */
import { Link, useLoaderData, useRouteLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { PageHeader, StatusBadge, formatMoney } from '../components/ui';
import { Api, must } from '../lib/api.server';
import type { List, Me, Package } from '../lib/types';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const archived = new URL(request.url).searchParams.get('archived') === 'true';
  const list = must(
    request,
    await new Api(request, context).get<List<Package>>(`/packages?limit=100${archived ? '&archived=true' : ''}`),
  );
  return { ...list, archived };
}

const limit = (value: number | null) => (value === null ? '∞' : String(value));

export default function Packages() {
  const { items, archived } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const canWrite = me.permissions.includes('accounts.package.write');
  return (
    <>
      <PageHeader
        title="Packages"
        description="What a subscription includes: limits, features and prices."
        actions={
          <>
            <Link className="btn-secondary" to={archived ? '/packages' : '/packages?archived=true'}>
              {archived ? 'Show current' : 'Show archived'}
            </Link>
            {canWrite ? (
              <Link className="btn-primary" to="/packages/new">
                New package
              </Link>
            ) : null}
          </>
        }
      />
      <DataTable
        caption="Packages"
        rows={items}
        rowKey={(p) => p.id}
        empty={canWrite ? 'No packages yet: create one to sell to your customers.' : 'No packages to show.'}
        columns={[
          {
            label: 'Name',
            render: (p) =>
              canWrite ? (
                <Link className="link" to={`/packages/${p.id}`}>
                  {p.name}
                </Link>
              ) : (
                p.name
              ),
          },
          { label: 'Monthly', render: (p) => formatMoney(p.prices.monthly ?? undefined, p.currency) },
          { label: 'Websites', render: (p) => limit(p.limits.websites) },
          { label: 'Disk (MB)', render: (p) => limit(p.limits.disk_mb) },
          { label: 'Databases', render: (p) => limit(p.limits.databases) },
          { label: 'Visibility', render: (p) => <StatusBadge status={p.visibility} /> },
        ]}
      />
    </>
  );
}
