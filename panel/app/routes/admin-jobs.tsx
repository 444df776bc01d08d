/** Durable jobs: filter by state (dead and retrying first of all), retry one. */
import { Form, Link, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { ResultToast } from '../components/toasts';
import { CsrfInput, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import type { List } from '../lib/types';

interface Job {
  id: string;
  name: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  progress: number | null;
  progressMessage: string | null;
  createdAt: string;
}

const STATES = ['dead', 'retrying', 'interrupted', 'waiting', 'scheduled', 'running'];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const state = new URL(request.url).searchParams.get('state') ?? 'dead';
  const query = STATES.includes(state) ? `?state=${state}&limit=100` : '?limit=100';
  return {
    ...must(request, await new Api(request, context).get<List<Job>>(`/jobs${query}`)),
    state: STATES.includes(state) ? state : 'all',
  };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const res = await apiForForm(request, context, form).post(
    `/jobs/${encodeURIComponent(String(form.get('id') ?? ''))}/retry`,
    {},
  );
  return res.ok ? done('Job queued to run again.') : failed(res);
}

export default function Jobs() {
  const { items, state } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Jobs" description="Background work: provisioning, mails, clean-ups. Dead jobs ran out of attempts." />
      <ResultToast result={result} />
      <nav aria-label="Job states" className="mb-4 flex flex-wrap gap-2">
        {[...STATES, 'all'].map((s) => (
          <Link
            key={s}
            to={`?state=${s}`}
            className={s === state ? 'btn-primary' : 'btn-secondary'}
            aria-current={s === state ? 'page' : undefined}
          >
            {s}
          </Link>
        ))}
      </nav>
      <DataTable
        caption="Jobs"
        rows={items}
        rowKey={(j) => j.id}
        empty={state === 'dead' ? 'No dead jobs: everything that failed was retried successfully.' : 'No jobs in this state.'}
        columns={[
          { label: 'Job', render: (j) => <code className="font-mono text-xs">{j.name}</code> },
          { label: 'State', render: (j) => <StatusBadge status={j.state} /> },
          { label: 'Attempts', render: (j) => `${j.attempts} / ${j.maxAttempts}` },
          {
            label: 'Progress / error',
            render: (j) =>
              j.lastError ? (
                <span className="text-xs text-red-700 dark:text-red-300">{j.lastError.slice(0, 200)}</span>
              ) : j.progress !== null ? (
                <span className="text-xs">
                  {Math.round(j.progress * 100)}% {j.progressMessage ?? ''}
                </span>
              ) : (
                '—'
              ),
          },
          { label: 'Run at', render: (j) => formatDate(j.runAt) },
          {
            label: 'Actions',
            render: (j) =>
              j.state === 'dead' || j.state === 'retrying' ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="id" value={j.id} />
                  <button type="submit" className="link text-sm">
                    Retry now
                  </button>
                </Form>
              ) : null,
          },
        ]}
      />
    </>
  );
}
