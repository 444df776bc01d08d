/**
 * Users below me: customers for a reseller, every role for an admin. Search and filter (a GET
 * form: bookmarkable, works without JavaScript), create, suspend/unsuspend, impersonate.
 */
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
import { Api, apiForForm, must, readForm, requireUser } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';
import type { List, Me, User } from '../lib/types';
import { plural } from '../lib/plural';

const ROLES = ['customer', 'reseller', 'technical_user', 'super_admin'] as const;
const STATUSES = ['active', 'suspended', 'deleted'] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireUser(request, context);
  const url = new URL(request.url);
  const search = url.searchParams.get('search')?.trim() ?? '';
  const role = url.searchParams.get('role') ?? '';
  const status = url.searchParams.get('status') ?? '';
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const query = new URLSearchParams({ limit: '20', page: String(page) });
  if (search) query.set('search', search);
  if ((ROLES as readonly string[]).includes(role)) query.set('role', role);
  // A reseller's list is their customers (the API's subtree also holds the reseller).
  else if (me.user.role === 'reseller') query.set('role', 'customer');
  // A customer's are its technical users (its subtree also holds the customer itself).
  else if (me.user.role === 'customer') query.set('role', 'technical_user');
  if ((STATUSES as readonly string[]).includes(status)) query.set('status', status);
  const list = must(request, await new Api(request, context).get<List<User> & { total: number }>(`/users?${query}`));
  return { ...list, search, role, status, page };
}

type UsersResult = ActionResult & { target?: string };

export async function action({ request, context }: ActionFunctionArgs): Promise<UsersResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const intent = form.get('intent');
  const id = encodeURIComponent(String(form.get('id') ?? ''));
  if (intent === 'suspend') {
    const res = await api.post(`/users/${id}/suspend`, { reason: text(form, 'reason') ?? '' });
    // `target`: which row's form shows the errors (each row has its own reason field).
    return res.ok ? done('User suspended, with their active subscriptions.') : { ...failed(res, {}, 'suspend'), target: id };
  }
  if (intent === 'unsuspend') {
    const res = await api.post(`/users/${id}/unsuspend`, {});
    return res.ok ? done('User reactivated.') : failed(res);
  }
  const body: Record<string, unknown> = { email: text(form, 'email') ?? '', role: text(form, 'role') ?? 'customer' };
  const name = text(form, 'name');
  if (name) body.name = name;
  const password = form.get('password');
  if (typeof password === 'string' && password !== '') body.password = password;
  const res = await api.post<User>('/users', body);
  return res.ok ? done(`${res.data.email} created.`, { created: res.data.id }) : failed(res, {}, 'create');
}

/**
 * Suspend with a reason (the API requires one: it is kept with the suspension and in the audit log).
 * A disclosure, so it works without JavaScript; it opens again when the API refused.
 */
function SuspendForm({ user, errors }: { user: User; errors: ActionResult | undefined }) {
  return (
    <details open={errors ? true : undefined} className="text-sm">
      <summary className="link cursor-pointer" aria-label={`Suspend ${user.email}…`}>
        Suspend…
      </summary>
      <Form method="post" className="mt-2 flex max-w-xs flex-col gap-2">
        <CsrfInput />
        <input type="hidden" name="intent" value="suspend" />
        <input type="hidden" name="id" value={user.id} />
        <Field
          id={`reason-${user.id}`}
          name="reason"
          label={`Reason for suspending ${user.email}`}
          hint="Kept with their suspended subscriptions and in the audit log."
          required
          maxLength={500}
          refill={Boolean(errors)}
          error={fieldError(errors, 'reason')}
        />
        <button type="submit" className="btn-danger self-start" aria-label={`Suspend ${user.email}`}>
          Suspend
        </button>
      </Form>
    </details>
  );
}

export default function Users() {
  const { items, total, search, role, status, page, limit } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const result = useActionData<typeof action>();
  const isAdmin = me.user.role === 'super_admin';
  const noun = isAdmin ? 'Users' : me.user.role === 'reseller' ? 'Customers' : 'Technical users';
  const canImpersonate = me.permissions.includes('auth.user.impersonate') && !me.impersonation;
  const canWrite = me.permissions.includes('accounts.user.write');
  const createErrors = result && !result.ok && result.intent === 'create' ? result : undefined;
  const pages = Math.max(1, Math.ceil(total / (limit ?? 20)));
  const roleChoices = isAdmin ? ROLES : me.user.role === 'reseller' ? (['customer'] as const) : (['technical_user'] as const);
  return (
    <>
      <PageHeader
        title={noun}
        description={`${plural(total, noun === 'Users' ? 'user' : noun.toLowerCase().slice(0, -1))} in your ${isAdmin ? 'platform' : 'account tree'}.`}
      />
      <ResultToast result={result} />
      <Form method="get" className="card mb-4 flex flex-wrap items-end gap-3 p-4" role="search">
        <div className="min-w-48 flex-1">
          <Field name="search" label="Search by email or name" defaultValue={search} />
        </div>
        {isAdmin ? (
          <Field name="role" label="Role">
            <select id="f-role" name="role" defaultValue={role} className="input">
              <option value="">Any role</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r.replace('_', ' ')}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
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
        caption={noun}
        rows={items}
        rowKey={(u) => u.id}
        empty={
          search || status || role ? 'Nobody matches these filters.' : `No ${noun.toLowerCase()} yet: create the first one below.`
        }
        columns={[
          {
            label: 'Email',
            render: (u) => (
              <>
                <span className="font-medium">{u.email}</span>
                {u.name ? <span className="muted block text-xs">{u.name}</span> : null}
              </>
            ),
          },
          { label: 'Role', render: (u) => u.role.replace('_', ' ') },
          { label: 'Status', render: (u) => <StatusBadge status={u.status} /> },
          { label: 'Created', render: (u) => formatDate(u.createdAt).slice(0, 10) },
          {
            label: 'Actions',
            render: (u) => (
              <div className="flex flex-wrap gap-3">
                <Link className="link text-sm" to={`/subscriptions?customerId=${u.id}`}>
                  Subscriptions
                </Link>
                {canWrite && u.status === 'active' && u.id !== me.user.id ? (
                  <SuspendForm user={u} errors={result && !result.ok && result.target === u.id ? result : undefined} />
                ) : null}
                {canWrite && u.status === 'suspended' ? (
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="unsuspend" />
                    <input type="hidden" name="id" value={u.id} />
                    <button type="submit" className="link text-sm" aria-label={`Unsuspend ${u.email}`}>
                      Unsuspend
                    </button>
                  </Form>
                ) : null}
                {canImpersonate && u.status === 'active' && u.role !== 'super_admin' && u.id !== me.user.id ? (
                  <Form method="post" action="/impersonate">
                    <CsrfInput />
                    <input type="hidden" name="userId" value={u.id} />
                    <button type="submit" className="link text-sm" aria-label={`Act as ${u.email}`}>
                      Act as
                    </button>
                  </Form>
                ) : null}
              </div>
            ),
          },
        ]}
      />
      {pages > 1 ? (
        <nav aria-label="Pages" className="mt-4 flex items-center gap-4 text-sm">
          {page > 1 ? (
            <Link className="link" to={`?${new URLSearchParams({ search, role, status, page: String(page - 1) })}`}>
              Previous
            </Link>
          ) : null}
          <span className="muted">
            Page {page} of {pages}
          </span>
          {page < pages ? (
            <Link className="link" to={`?${new URLSearchParams({ search, role, status, page: String(page + 1) })}`}>
              Next
            </Link>
          ) : null}
        </nav>
      ) : null}
      {canWrite ? (
        <Card title={`New ${roleChoices.length === 1 ? roleChoices[0]!.replace('_', ' ') : 'user'}`} className="mt-6">
          {/* A new key after each success empties the form for the next one. */}
          <Form method="post" className="grid gap-4 sm:grid-cols-2" key={result?.ok ? String(result.created) : 'new'}>
            <CsrfInput />
            <input type="hidden" name="intent" value="create" />
            <Field name="email" label="Email" type="email" required error={fieldError(createErrors, 'email')} />
            <Field id="new-name" name="name" label="Name" error={fieldError(createErrors, 'name')} />
            {roleChoices.length > 1 ? (
              <Field id="new-role" name="role" label="Role" error={fieldError(createErrors, 'role')}>
                <select id="new-role" name="role" className="input" defaultValue="customer">
                  {roleChoices.map((r) => (
                    <option key={r} value={r}>
                      {r.replace('_', ' ')}
                    </option>
                  ))}
                </select>
              </Field>
            ) : (
              <input type="hidden" name="role" value={roleChoices[0]} />
            )}
            <Field
              name="password"
              label="Password (optional)"
              type="password"
              autoComplete="new-password"
              hint="Leave empty to let them set one with “Forgot your password”."
              error={fieldError(createErrors, 'password')}
            />
            <div className="sm:col-span-2">
              <button type="submit" className="btn-primary">
                Create
              </button>
            </div>
          </Form>
        </Card>
      ) : null}
    </>
  );
}
