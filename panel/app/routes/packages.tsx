/** Hosting packages I sell (a reseller's own, or all for an admin). */
import { Link, useLoaderData, useRouteLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { PageHeader, StatusBadge, formatMoney } from '../components/ui';
import { Api, must, requireUser } from '../lib/api.server';
import { resellerAllowance } from '../lib/allowance.server';
import { NoAllowanceNotice } from '../components/ask-provider';
import type { List, Me, Package } from '../lib/types';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const archived = new URL(request.url).searchParams.get('archived') === 'true';
  const api = new Api(request, context);
  const me = await requireUser(request, context);
  const [list, allowance] = await Promise.all([
    api.get<List<Package>>(`/packages?limit=100${archived ? '&archived=true' : ''}`),
    resellerAllowance(api, me),
  ]);
  return { ...must(request, list), archived, allowance };
}

const limit = (value: number | null) => (value === null ? '∞' : String(value));

export default function Packages() {
  const { items, archived, allowance } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const canWrite = me.permissions.includes('accounts.package.write');
  const canCreate = canWrite && allowance.has;
  const isReseller = me.user.role === 'reseller';
  // A reseller edits its own packages; the platform's are there to read (its allowance among them).
  const mayEdit = (p: Package) => canWrite && (!isReseller || p.ownerId === me.user.id);
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
            {canCreate ? (
              <Link className="btn-primary" to="/packages/new">
                New package
              </Link>
            ) : null}
          </>
        }
      />
      {allowance.has ? null : <NoAllowanceNotice provider={allowance.provider} />}
      <DataTable
        caption="Packages"
        rows={items}
        rowKey={(p) => p.id}
        empty={canCreate ? 'No packages yet: create one to sell to your customers.' : 'No packages to show.'}
        columns={[
          {
            label: 'Name',
            render: (p) =>
              mayEdit(p) ? (
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
          ...(isReseller
            ? [{ label: 'Owner', render: (p: Package) => (p.ownerId === me.user.id ? 'You' : 'Platform (not for resale)') }]
            : []),
        ]}
      />
    </>
  );
}
