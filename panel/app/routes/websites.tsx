/** My websites (or my customers'): status at a glance, live while provisioning. */
import { Form, Link, useLoaderData, useRouteLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { LiveRefresh } from '../components/live';
import { Field, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { Api, must, requireUser } from '../lib/api.server';
import { websiteAllowance } from '../lib/allowance.server';
import { plural } from '../lib/plural';
import { NoPackageNotice } from '../components/ask-provider';
import { SETTLING, WEBSITE_KINDS, type List, type Me, type User, type Website } from '../lib/types';

const STATUSES = ['provisioning', 'active', 'suspended', 'error', 'deleting'];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const search = url.searchParams.get('search')?.trim() ?? '';
  const status = url.searchParams.get('status') ?? '';
  const query = new URLSearchParams({ limit: '100' });
  if (search) query.set('search', search);
  if (STATUSES.includes(status)) query.set('status', status);
  const api = new Api(request, context);
  const me = await requireUser(request, context);
  const [list, users, allowance] = await Promise.all([
    api.get<List<Website> & { total: number }>(`/websites?${query}`),
    // Resellers and admins see whose site it is (a customer's own list needs no owner column).
    me.user.role === 'reseller' || me.user.role === 'super_admin' ? api.get<List<User>>('/users?limit=100&role=customer') : null,
    websiteAllowance(api, me),
  ]);
  const owners = users?.ok ? Object.fromEntries(users.data.items.map((u) => [u.id, u.email])) : {};
  return { ...must(request, list), search, status, owners, allowance };
}

export default function Websites() {
  const { items, total, search, status, owners, allowance } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const canWrite = allowance.canCreate;
  return (
    <>
      <PageHeader
        title="Websites"
        description={`${plural(total, 'website')}.`}
        actions={
          canWrite ? (
            <Link className="btn-primary" to="/websites/new">
              New website
            </Link>
          ) : null
        }
      />
      <LiveRefresh active={items.some((w) => SETTLING.has(w.status))} />
      {allowance.noPackage ? <NoPackageNotice provider={allowance.provider} /> : null}
      <Form method="get" className="card my-4 flex flex-wrap items-end gap-3 p-4" role="search">
        <div className="min-w-48 flex-1">
          <Field name="search" label="Search by domain" defaultValue={search} />
        </div>
        <Field name="status" label="Status">
          <select id="f-status" name="status" defaultValue={status} className="input">
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="btn-secondary">
          Filter
        </button>
      </Form>
      <DataTable
        caption="Websites"
        rows={items}
        rowKey={(w) => w.id}
        empty={
          search || status ? (
            'No website matches these filters.'
          ) : canWrite ? (
            <>
              No websites yet.{' '}
              <Link className="link" to="/websites/new">
                Create your first website
              </Link>{' '}
              — static, PHP, WordPress or Node.js.
            </>
          ) : (
            'No websites yet.'
          )
        }
        columns={[
          {
            label: 'Domain',
            render: (w) => (
              <Link className="link" to={`/websites/${w.id}`}>
                {w.domainDisplay}
              </Link>
            ),
          },
          ...(me.user.role === 'customer' || me.user.role === 'technical_user'
            ? []
            : [
                {
                  label: 'Owner',
                  render: (w: Website) => owners[w.ownerId] ?? (w.ownerId === me.user.id ? 'you' : 'another account'),
                },
              ]),
          { label: 'Type', render: (w) => `${WEBSITE_KINDS[w.kind]}${w.phpVersion ? ` ${w.phpVersion}` : ''}` },
          {
            label: 'Status',
            render: (w) => (
              <>
                <StatusBadge status={w.status} />
                {w.statusReason && w.status !== 'active' ? <span className="muted block text-xs">{w.statusReason}</span> : null}
              </>
            ),
          },
          { label: 'Created', render: (w) => formatDate(w.createdAt).slice(0, 10) },
        ]}
      />
    </>
  );
}
