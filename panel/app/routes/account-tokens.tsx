/** Personal API tokens: create (shown once), list, revoke. */
import {
  Form,
  useActionData,
  useLoaderData,
  useRouteLoaderData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { AccountTabs } from '../components/account-tabs';
import { DataTable } from '../components/data-table';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, Field, PageHeader, formatDate } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';
import type { Me } from '../lib/types';

interface Token {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  last4: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  return must(request, await new Api(request, context).get<{ items: Token[] }>('/auth/api-tokens'));
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  if (form.get('intent') === 'revoke') {
    const res = await api.delete(`/auth/api-tokens/${encodeURIComponent(String(form.get('id') ?? ''))}`);
    return res.ok ? done('Token revoked.') : failed(res);
  }
  const expires = text(form, 'expiresAt');
  const res = await api.post<Token & { token: string }>('/auth/api-tokens', {
    name: text(form, 'name') ?? '',
    scopes: form.getAll('scopes').map(String),
    ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
  });
  return res.ok ? done('Token created. Copy it now: it is shown only once.', { token: res.data.token }) : failed(res);
}

export default function Tokens() {
  const { items } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const result = useActionData<typeof action>();
  const created = result?.ok && typeof result.token === 'string' ? result.token : null;
  return (
    <>
      <PageHeader title="Account" description="Your profile, password and security settings." />
      <AccountTabs />
      <ResultToast result={result} />
      <div className="space-y-6">
        {created ? (
          <Alert kind="success">
            Your new token (shown once):{' '}
            <code className="font-mono break-all" data-testid="new-token">
              {created}
            </code>
          </Alert>
        ) : null}
        <DataTable
          caption="Your API tokens"
          rows={items}
          empty="No tokens yet. Scripts use a token as `Authorization: Bearer hp_…`; make one below."
          columns={[
            { label: 'Name', render: (t) => t.name },
            { label: 'Token', render: (t) => <code className="font-mono">{`${t.prefix}…${t.last4}`}</code> },
            { label: 'Scopes', render: (t) => <span className="text-xs">{t.scopes.join(', ') || '—'}</span> },
            { label: 'Created', render: (t) => formatDate(t.createdAt) },
            { label: 'Expires', render: (t) => formatDate(t.expiresAt) },
            { label: 'Last used', render: (t) => formatDate(t.lastUsedAt) },
            {
              label: 'Actions',
              render: (t) => (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="revoke" />
                  <input type="hidden" name="id" value={t.id} />
                  <button type="submit" className="link text-sm">
                    Revoke
                  </button>
                </Form>
              ),
            },
          ]}
        />
        <Card title="New token">
          <Form method="post" className="space-y-4" key={created ?? 'new'}>
            <CsrfInput />
            <Field name="name" label="Name" required maxLength={100} error={fieldError(result, 'name')} />
            <Field name="expiresAt" label="Expires on (optional)" type="date" error={fieldError(result, 'expiresAt')} />
            <fieldset>
              <legend className="text-sm font-medium">Scopes</legend>
              <p className="muted text-xs">The token never holds more than you do.</p>
              {fieldError(result, 'scopes') ? (
                <p className="text-sm text-red-700 dark:text-red-400">{fieldError(result, 'scopes')}</p>
              ) : null}
              <div className="mt-2 grid max-h-64 gap-1 overflow-y-auto sm:grid-cols-2">
                {me.permissions.map((p) => (
                  <label key={p} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="scopes" value={p} className="size-4 accent-indigo-600" />
                    <code className="font-mono text-xs">{p}</code>
                  </label>
                ))}
              </div>
            </fieldset>
            <button type="submit" className="btn-primary">
              Create token
            </button>
          </Form>
        </Card>
      </div>
    </>
  );
}
