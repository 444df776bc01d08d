/** My sign-in attempts, newest first, a page at a time (cursor). */
import { Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { AccountTabs } from '../components/account-tabs';
import { DataTable } from '../components/data-table';
import { PageHeader, StatusBadge, formatDate } from '../components/ui';
import { Api, must } from '../lib/api.server';
import { describeUserAgent } from '../lib/user-agent';

interface Entry {
  id: string;
  at: string;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  reason: string | null;
  twoFactor: boolean;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const before = new URL(request.url).searchParams.get('before');
  const query = before && /^\d{1,19}$/.test(before) ? `?limit=20&before=${before}` : '?limit=20';
  return must(
    request,
    await new Api(request, context).get<{ items: Entry[]; nextCursor: string | null }>(`/auth/login-history${query}`),
  );
}

export default function History() {
  const { items, nextCursor } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Account" description="Your profile, password and security settings." />
      <AccountTabs />
      <DataTable
        caption="Sign-in history"
        rows={items}
        empty="No sign-in attempts recorded."
        columns={[
          { label: 'When', render: (e) => formatDate(e.at) },
          { label: 'Result', render: (e) => <StatusBadge status={e.success ? 'ok' : 'failed'} /> },
          { label: 'Reason', render: (e) => e.reason ?? '—' },
          { label: 'IP address', render: (e) => e.ip ?? '—' },
          { label: 'Device', render: (e) => <span title={e.userAgent ?? undefined}>{describeUserAgent(e.userAgent)}</span> },
          { label: '2FA', render: (e) => (e.twoFactor ? 'yes' : 'no') },
        ]}
      />
      {nextCursor ? (
        <p className="mt-4">
          <Link className="link" to={`?before=${nextCursor}`}>
            Older attempts
          </Link>
        </p>
      ) : null}
    </>
  );
}
