/** My signed-in sessions: sign one out, or all but this one. */
import { Form, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { AccountTabs } from '../components/account-tabs';
import { DataTable } from '../components/data-table';
import { ResultToast } from '../components/toasts';
import { CsrfInput, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import { describeUserAgent } from '../lib/user-agent';

interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  twoFactor: boolean;
  impersonated: boolean;
  current: boolean;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  return must(request, await new Api(request, context).get<{ items: Session[] }>('/auth/sessions'));
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  if (form.get('intent') === 'others') {
    const res = await api.post<{ revoked?: number }>('/auth/sessions/revoke-others');
    return res.ok ? done('Every other session was signed out.') : failed(res);
  }
  const id = String(form.get('id') ?? '');
  const res = await api.delete(`/auth/sessions/${encodeURIComponent(id)}`);
  return res.ok ? done('Session signed out.') : failed(res);
}

export default function Sessions() {
  const { items } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Account" description="Your profile, password and security settings." />
      <AccountTabs />
      <ResultToast result={result} />
      <div className="mb-4 flex justify-end">
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="intent" value="others" />
          <button type="submit" className="btn-secondary">
            Sign out all other sessions
          </button>
        </Form>
      </div>
      <DataTable
        caption="Your sessions"
        rows={items}
        empty="No sessions."
        columns={[
          {
            label: 'Device',
            render: (s) => (
              <>
                {describeUserAgent(s.userAgent)} {s.current ? <StatusBadge status="this device" /> : null}
              </>
            ),
          },
          { label: 'IP address', render: (s) => s.ip ?? '—' },
          { label: 'Signed in', render: (s) => formatDate(s.createdAt) },
          { label: 'Last seen', render: (s) => formatDate(s.lastSeenAt) },
          { label: '2FA', render: (s) => (s.twoFactor ? 'yes' : 'no') },
          {
            label: 'Actions',
            render: (s) =>
              s.current ? null : (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="id" value={s.id} />
                  <button type="submit" className="link text-sm">
                    Sign out
                  </button>
                </Form>
              ),
          },
        ]}
      />
    </>
  );
}
