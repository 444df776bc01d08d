/** Every plugin: state, health, failure reason; enable or disable. */
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
import { CsrfInput, PageHeader, StatusBadge } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import type { List, Me } from '../lib/types';

export interface PluginStatus {
  id: string;
  version: string;
  displayName: string;
  description: string;
  source: string;
  state: string;
  enabled: boolean;
  error: { phase: string; message: string; at: string } | null;
  health: { state: 'ok' | 'degraded'; reason: string | null; at: string } | null;
  permissions: string[];
  requires: Record<string, string>;
  provides: string[];
  configSchema: unknown;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  return must(request, await new Api(request, context).get<List<PluginStatus>>('/plugins'));
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const id = String(form.get('id') ?? '');
  const verb = form.get('intent') === 'enable' ? 'enable' : 'disable';
  const res = await api.post<PluginStatus>(`/plugins/${encodeURIComponent(id)}/${verb}`, {});
  return res.ok ? done(`${res.data.displayName || id} ${verb}d.`) : failed(res);
}

export function PluginState({ plugin }: { plugin: PluginStatus }) {
  return (
    <div className="space-y-1">
      <StatusBadge status={plugin.state} />
      {plugin.health?.state === 'degraded' ? (
        <p className="text-xs text-amber-800 dark:text-amber-200">
          <StatusBadge status="degraded" /> {plugin.health.reason}
        </p>
      ) : null}
      {plugin.error ? (
        <p className="text-xs text-red-700 dark:text-red-300">
          Failed while {plugin.error.phase}: {plugin.error.message}
        </p>
      ) : null}
    </div>
  );
}

export default function Plugins() {
  const { items } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const result = useActionData<typeof action>();
  const canManage = me.permissions.includes('platform.plugins.manage');
  return (
    <>
      <PageHeader title="Plugins" description="Enable or disable features at runtime; pages and routes follow at once." />
      <ResultToast result={result} />
      <DataTable
        caption="Plugins"
        rows={items}
        rowKey={(p) => p.id}
        empty="No plugins found."
        columns={[
          {
            label: 'Plugin',
            render: (p) => (
              <>
                <Link className="link" to={`/admin/plugins/${p.id}`}>
                  {p.displayName || p.id}
                </Link>
                <span className="muted block text-xs">
                  {p.id} {p.version} · {p.source}
                </span>
              </>
            ),
          },
          { label: 'State', render: (p) => <PluginState plugin={p} /> },
          { label: 'Description', render: (p) => <span className="text-xs">{p.description}</span> },
          {
            label: 'Actions',
            render: (p) =>
              canManage ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="id" value={p.id} />
                  <input type="hidden" name="intent" value={p.enabled ? 'disable' : 'enable'} />
                  <button
                    type="submit"
                    className={p.enabled ? 'btn-secondary' : 'btn-primary'}
                    aria-label={`${p.enabled ? 'Disable' : 'Enable'} ${p.displayName || p.id}`}
                  >
                    {p.enabled ? 'Disable' : 'Enable'}
                  </button>
                </Form>
              ) : null,
          },
        ]}
      />
    </>
  );
}
