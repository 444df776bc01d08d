/** Subscriptions in my tree: filter, assign a package to a customer, suspend/unsuspend/cancel. */
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useRouteLoaderData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { DataTable } from '../components/data-table';
import { ResultToast } from '../components/toasts';
import { Card, CsrfInput, Field, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';
import { rowLinks } from '../lib/plugin-links';
import type { List, Me, Package, PanelPage, Subscription, User } from '../lib/types';

const STATUSES = ['pending', 'active', 'suspended', 'cancelled', 'terminated'];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await new Api(request, context).get<Me>('/auth/me');
  const url = new URL(request.url);
  const status = url.searchParams.get('status') ?? '';
  const customerId = url.searchParams.get('customerId') ?? '';
  const query = new URLSearchParams({ limit: '100' });
  if (STATUSES.includes(status)) query.set('status', status);
  if (/^[0-9a-f-]{36}$/.test(customerId)) query.set('customerId', customerId);
  const api = new Api(request, context);
  const subs = must(request, await api.get<List<Subscription>>(`/subscriptions?${query}`));
  const canWrite = me.ok && me.data.permissions.includes('accounts.subscription.write');
  // A reseller sells only its own packages (the platform's are refused): offer those alone.
  const sellable = me.ok && me.data.user.role === 'reseller' ? `&ownerId=${me.data.user.id}` : '';
  // An admin also gives resellers their allowance; a reseller subscribes its customers.
  const isAdmin = me.ok && me.data.user.role === 'super_admin';
  const [holders, packages] = await Promise.all([
    // Every status: a suspended customer's subscription still shows whose it is.
    api.get<List<User>>(`/users?limit=100${isAdmin ? '' : '&role=customer'}`),
    canWrite ? api.get<List<Package>>(`/packages?limit=100${sellable}`) : null,
  ]);
  const known = (holders.ok ? holders.data.items : []).filter((u) => u.role === 'customer' || u.role === 'reseller');
  const names = Object.fromEntries(known.map((u) => [u.id, u.email]));
  const customers = known.filter((u) => u.status === 'active');
  if (me.ok) names[me.data.user.id] = 'You';
  return {
    items: subs.items,
    status,
    customerId,
    names,
    customers,
    packages: packages?.ok ? packages.data.items : [],
  };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const intent = String(form.get('intent') ?? '');
  if (['suspend', 'unsuspend', 'cancel'].includes(intent)) {
    const res = await api.post(`/subscriptions/${encodeURIComponent(String(form.get('id') ?? ''))}/${intent}`, {});
    return res.ok ? done(`Subscription ${intent === 'cancel' ? 'cancelled' : `${intent}ed`}.`) : failed(res);
  }
  const res = await api.post<Subscription>('/subscriptions', {
    customerId: text(form, 'customerId') ?? '',
    packageId: text(form, 'packageId') ?? '',
    billingCycle: text(form, 'billingCycle') ?? 'monthly',
    status: 'active',
  });
  return res.ok ? done(`${res.data.packageName} assigned.`) : failed(res, {}, 'create');
}

export default function Subscriptions() {
  const { items, status, customerId, names, customers, packages } = useLoaderData<typeof loader>();
  const { me, pages } = useRouteLoaderData('routes/app-layout') as { me: Me; pages: PanelPage[] };
  const linked = pages.some((p) => p.linkFrom?.list === 'subscriptions');
  const result = useActionData<typeof action>();
  const canWrite = me.permissions.includes('accounts.subscription.write') && me.user.role !== 'customer';
  const createErrors = result && !result.ok && result.intent === 'create' ? result : undefined;
  return (
    <>
      <PageHeader title="Subscriptions" description="Packages assigned to customers, with their billing cycle and state." />
      <ResultToast result={result} />
      <Form method="get" className="card mb-4 flex flex-wrap items-end gap-3 p-4">
        {customerId ? <input type="hidden" name="customerId" value={customerId} /> : null}
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
        {customerId ? (
          <Link className="link text-sm" to="/subscriptions">
            Show every customer
          </Link>
        ) : null}
      </Form>
      <DataTable
        caption="Subscriptions"
        rows={items}
        rowKey={(s) => s.id}
        empty={canWrite ? 'No subscriptions yet: assign a package to a customer below.' : 'No subscriptions.'}
        columns={[
          { label: 'Package', render: (s) => s.packageName },
          ...(me.user.role === 'customer'
            ? []
            : [{ label: 'Customer', render: (s: Subscription) => names[s.customerId] ?? 'another account' }]),
          { label: 'Status', render: (s) => <StatusBadge status={s.status} /> },
          { label: 'Billing', render: (s) => s.billingCycle },
          { label: 'Next due', render: (s) => formatDate(s.nextDueDate).slice(0, 10) },
          // What enabled plugins link to from a subscription (billing: its next invoice).
          ...(linked
            ? [
                {
                  label: 'More',
                  render: (s: Subscription) => (
                    <div className="flex flex-wrap gap-3">
                      {rowLinks(pages, 'subscriptions', s.id).map((l) => (
                        <Link key={l.href} className="link text-sm" to={l.href}>
                          {l.label}
                        </Link>
                      ))}
                    </div>
                  ),
                },
              ]
            : []),
          {
            label: 'Actions',
            render: (s) =>
              // One's own subscription (a reseller's allowance) is its provider's to change.
              canWrite && s.customerId !== me.user.id ? (
                <div className="flex gap-3">
                  {(s.status === 'active' || s.status === 'pending'
                    ? ['suspend', 'cancel']
                    : s.status === 'suspended'
                      ? ['unsuspend', 'cancel']
                      : []
                  ).map((intent) => (
                    <Form method="post" key={intent}>
                      <CsrfInput />
                      <input type="hidden" name="intent" value={intent} />
                      <input type="hidden" name="id" value={s.id} />
                      <button type="submit" className="link text-sm capitalize">
                        {intent}
                      </button>
                    </Form>
                  ))}
                </div>
              ) : null,
          },
        ]}
      />
      {canWrite && (packages.length === 0 || customers.length === 0) ? (
        <Card title="Assign a package" className="mt-6">
          <div data-testid="assign-needs">
            {packages.length === 0 ? (
              <p className="text-sm">
                You have no package of your own to assign yet.{' '}
                <Link className="link" to="/packages/new">
                  Create a package
                </Link>{' '}
                first: your customers subscribe to the packages you build.
              </p>
            ) : null}
            {customers.length === 0 ? (
              <p className="text-sm">
                You have no active customer yet.{' '}
                <Link className="link" to="/users">
                  Create a customer
                </Link>{' '}
                first.
              </p>
            ) : null}
          </div>
        </Card>
      ) : null}
      {canWrite && packages.length > 0 && customers.length > 0 ? (
        <Card title="Assign a package" className="mt-6">
          <Form method="post" className="grid gap-4 sm:grid-cols-4 sm:items-end">
            <CsrfInput />
            <input type="hidden" name="intent" value="create" />
            <Field id="new-customer" name="customerId" label="Customer" error={fieldError(createErrors, 'customerId')}>
              <select id="new-customer" name="customerId" className="input" required defaultValue={customerId}>
                <option value="">Choose…</option>
                {customers.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.email}
                    {c.role === 'reseller' ? ' (reseller)' : ''}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="new-package" name="packageId" label="Package" error={fieldError(createErrors, 'packageId')}>
              <select id="new-package" name="packageId" className="input" required>
                <option value="">Choose…</option>
                {packages.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="new-cycle" name="billingCycle" label="Billing cycle" error={fieldError(createErrors, 'billingCycle')}>
              <select id="new-cycle" name="billingCycle" className="input">
                <option value="monthly">Monthly</option>
                <option value="quarterly">Quarterly</option>
                <option value="yearly">Yearly</option>
              </select>
            </Field>
            <button type="submit" className="btn-primary">
              Assign
            </button>
          </Form>
        </Card>
      ) : null}
    </>
  );
}
