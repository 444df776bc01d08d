/** Home: the customer's subscriptions with usage against limits; counts for resellers and admins. */
import { Link, useLoaderData, useRouteLoaderData, type LoaderFunctionArgs } from 'react-router';
import { Card, EmptyState, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { UsageBar } from '../components/usage-bar';
import { Api, requireUser } from '../lib/api.server';
import { LiveRefresh } from '../components/live';
import { plural } from '../lib/plural';
import { NoPackageNotice } from '../components/ask-provider';
import { websiteAllowance } from '../lib/allowance.server';
import { rowLinks } from '../lib/plugin-links';
import { LIMIT_LABELS, SETTLING, type List, type PanelPage, type Subscription, type Usage, type Website } from '../lib/types';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireUser(request, context);
  const api = new Api(request, context);
  const can = (p: string) => me.permissions.includes(p);
  const isCustomer = me.user.role === 'customer' || me.user.role === 'technical_user';
  const overview = !isCustomer;
  // Independent reads side by side: the page costs the slowest, not the sum.
  const [subs, sites, customers, packages, allowance] = await Promise.all([
    can('accounts.subscription.read') ? api.get<List<Subscription>>('/subscriptions?limit=20') : null,
    can('websites.site.read') ? api.get<List<Website> & { total: number }>('/websites?limit=6') : null,
    overview && can('accounts.user.read') ? api.get<List<unknown>>('/users?role=customer&limit=1') : null,
    overview && can('accounts.package.read') ? api.get<List<unknown>>('/packages?limit=1') : null,
    websiteAllowance(api, me),
  ]);
  const subscriptions = subs?.ok ? subs.data.items : [];
  const usages = await Promise.all(
    // A customer sees each of theirs with usage; a reseller or admin the first few.
    subscriptions.slice(0, isCustomer ? 20 : 4).map(async (s) => {
      const res = await api.get<Usage>(`/subscriptions/${s.id}/usage`);
      return res.ok ? res.data : null;
    }),
  );
  const counts = overview
    ? [
        ...(sites?.ok ? [{ label: 'Websites', value: sites.data.total, to: '/websites' }] : []),
        { label: 'Customers', value: customers?.ok ? (customers.data.total ?? customers.data.items.length) : 0, to: '/users' },
        { label: 'Subscriptions', value: subs?.ok ? (subs.data.total ?? subscriptions.length) : 0, to: '/subscriptions' },
        { label: 'Packages', value: packages?.ok ? (packages.data.total ?? packages.data.items.length) : 0, to: '/packages' },
      ]
    : [];
  return {
    name: me.user.name || me.user.email,
    role: me.user.role,
    subscriptions,
    usage: Object.fromEntries(usages.filter((u): u is Usage => u !== null).map((u) => [u.subscriptionId, u])),
    counts,
    websites: sites?.ok ? sites.data.items : null,
    websitesTotal: sites?.ok ? sites.data.total : 0,
    canCreateWebsite: allowance.canCreate,
    noPackage: allowance.noPackage ? { provider: allowance.provider } : null,
  };
}

export default function Dashboard() {
  const { name, subscriptions, usage, counts, websites, websitesTotal, canCreateWebsite, noPackage } =
    useLoaderData<typeof loader>();
  const { pages } = useRouteLoaderData('routes/app-layout') as { pages: PanelPage[] };
  return (
    <>
      <PageHeader title="Dashboard" description={`Welcome back, ${name}.`} />
      {counts.length > 0 ? (
        <div className="mb-6 grid grid-cols-2 gap-4 xl:grid-cols-4">
          {counts.map((c) => (
            <Link key={c.label} to={c.to} className="card block p-5 hover:border-indigo-400">
              <p className="muted text-sm">{c.label}</p>
              <p className="mt-1 text-3xl font-semibold">{c.value}</p>
            </Link>
          ))}
        </div>
      ) : null}
      {websites ? (
        <section aria-labelledby="websites-heading" className="mb-8">
          <div className="mb-3 flex items-center justify-between gap-3">
            <h2 id="websites-heading" className="text-lg font-semibold">
              Websites
            </h2>
            {canCreateWebsite ? (
              <Link className="btn-secondary" to="/websites/new">
                New website
              </Link>
            ) : null}
          </div>
          <LiveRefresh active={websites.some((w) => SETTLING.has(w.status))} />
          {noPackage ? (
            <div className="mb-3">
              <NoPackageNotice provider={noPackage.provider} />
            </div>
          ) : null}
          {websites.length === 0 ? (
            <EmptyState title="No websites yet">
              {canCreateWebsite ? (
                <Link className="link" to="/websites/new">
                  Create your first website
                </Link>
              ) : noPackage ? (
                'Once your package is assigned, you can create them here.'
              ) : (
                'Websites appear here once they exist.'
              )}
            </EmptyState>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
              {websites.map((w) => (
                <li key={w.id}>
                  <Link
                    to={`/websites/${w.id}`}
                    className="card flex items-center justify-between gap-3 p-4 hover:border-indigo-400"
                  >
                    <span className="truncate font-medium">{w.domainDisplay}</span>
                    <StatusBadge status={w.status} />
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {websitesTotal > websites.length ? (
            <p className="mt-2 text-sm">
              <Link className="link" to="/websites">
                All {plural(websitesTotal, 'website')}
              </Link>
            </p>
          ) : null}
        </section>
      ) : null}
      <h2 className="mb-3 text-lg font-semibold">Subscriptions</h2>
      {subscriptions.length === 0 ? (
        <EmptyState title="No subscriptions yet">
          Your provider assigns a hosting package to your account; it shows up here with its limits.
        </EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {subscriptions.map((s) => {
            const u = usage[s.id];
            // Only quotas some enabled plugin enforces: the others would promise nothing.
            const shown = u?.resources.filter((r) => r.enforced) ?? [];
            return (
              <Card key={s.id} title={s.packageName} actions={<StatusBadge status={s.status} />}>
                <p className="muted mb-4 text-sm">
                  Billed {s.billingCycle}
                  {s.nextDueDate ? ` · next due ${formatDate(s.nextDueDate).slice(0, 10)}` : ''}
                  {rowLinks(pages, 'subscriptions', s.id).map((l) => (
                    <span key={l.href}>
                      {' · '}
                      <Link className="link" to={l.href}>
                        {l.label}
                      </Link>
                    </span>
                  ))}
                </p>
                {u ? (
                  <div className="space-y-3">
                    {shown.length === 0 ? <p className="muted text-sm">No limits apply to what you can create yet.</p> : null}
                    {shown.map((r) => (
                      <UsageBar key={r.resource} label={LIMIT_LABELS[r.resource] ?? r.resource} used={r.used} limit={r.limit} />
                    ))}
                  </div>
                ) : null}
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
