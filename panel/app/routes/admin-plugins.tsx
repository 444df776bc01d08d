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
  signature: PluginSignatureStatus;
}

/** A package's signature and whether this install trusts it (GET /v1/plugins: `signature`). */
export interface PluginSignatureStatus {
  state: 'trusted' | 'untrusted' | 'invalid' | 'unsigned' | 'not-checked';
  signer: { keyId: string; name: string | null; firstParty: boolean } | null;
  allowed: boolean;
  problem: string | null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  return must(request, await new Api(request, context).get<List<PluginStatus>>('/plugins'));
}

/** What disabling a plugin takes with it (GET /v1/plugins/:id/disable-impact). */
interface DisableImpact {
  id: string;
  dependents: string[];
  signsPeopleIn: boolean;
  lastSignInProvider: boolean;
}

/** A disable that needs a yes first: what it takes with it, for the confirmation. */
interface Confirm {
  confirm: DisableImpact;
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | Confirm> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const id = String(form.get('id') ?? '');
  const path = `/plugins/${encodeURIComponent(id)}`;
  if (form.get('intent') === 'enable') {
    const res = await api.post<PluginStatus>(`${path}/enable`, {});
    return res.ok ? done(`${res.data.displayName || id} enabled.`) : failed(res);
  }
  const impact = await api.get<DisableImpact>(`${path}/disable-impact`);
  if (!impact.ok) return failed(impact);
  // The last way to sign in: the API refuses, and its answer says why and what to do instead.
  const consequential = !impact.data.lastSignInProvider && (impact.data.dependents.length > 0 || impact.data.signsPeopleIn);
  // A confirmation holds for what it showed: anything else stopping by now asks again.
  if (consequential && form.get('confirmed') !== impact.data.dependents.join(',')) return { confirm: impact.data };
  const res = await api.post<PluginStatus>(`${path}/disable${impact.data.dependents.length > 0 ? '?cascade=true' : ''}`, {});
  if (!res.ok) return failed(res);
  const also = impact.data.dependents.length > 0 ? ` (and ${impact.data.dependents.length} that required it)` : '';
  return done(`${res.data.displayName || id} disabled${also}.`);
}

/** Names a person knows the plugins by. */
function nameOf(items: PluginStatus[], id: string): string {
  const plugin = items.find((p) => p.id === id);
  return plugin?.displayName || id;
}

/** "Disabling X also stops Y and Z; everyone will be signed out." — then yes or no. Plain HTML. */
function ConfirmDisable({ impact, items }: { impact: DisableImpact; items: PluginStatus[] }) {
  const name = nameOf(items, impact.id);
  const dependents = impact.dependents.map((d) => nameOf(items, d));
  return (
    <section role="alertdialog" aria-labelledby="confirm-disable-title" className="card mb-6 space-y-3 border-amber-300 p-4">
      <h2 id="confirm-disable-title" className="font-semibold">
        Disable {name}?
      </h2>
      <ul className="list-disc space-y-1 pl-5 text-sm" data-testid="disable-consequences">
        {dependents.length > 0 ? (
          <li>
            {dependents.length === 1
              ? `${dependents[0]} requires it and stops with it`
              : `These require it and stop with it: ${dependents.join(', ')}`}
            .
          </li>
        ) : null}
        {impact.signsPeopleIn ? <li>It signs people in: everyone signed in through it will be signed out.</li> : null}
      </ul>
      <div className="flex flex-wrap gap-3">
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="id" value={impact.id} />
          <input type="hidden" name="intent" value="disable" />
          <input type="hidden" name="confirmed" value={impact.dependents.join(',')} />
          <button type="submit" className="btn-danger">
            {dependents.length > 0 ? `Disable ${[name, ...dependents].join(' and ')}` : `Disable ${name}`}
          </button>
        </Form>
        <Link to="/admin/plugins" className="btn-secondary">
          Cancel
        </Link>
      </div>
    </section>
  );
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

/** Who signed a plugin and whether that is trusted, in words; enabling refuses what is not. */
export function PluginSignature({ signature }: { signature: PluginSignatureStatus }) {
  const { state, signer, allowed, problem } = signature;
  const who = signer ? `${signer.name ?? 'an unknown signer'} (key ${signer.keyId})` : null;
  const text =
    state === 'trusted'
      ? `Signed by ${who ?? 'a trusted key'}`
      : state === 'untrusted'
        ? `Signed by ${who ?? 'an unknown key'}, not trusted`
        : state === 'invalid'
          ? `Signature does not match: ${problem ?? 'changed after signing'}`
          : state === 'unsigned'
            ? 'Not signed'
            : 'Built in, not checked';
  const good = state === 'trusted' || state === 'not-checked';
  return (
    <p className="text-xs" data-testid="plugin-signature" data-state={state}>
      <span className={good ? '' : 'text-amber-800 dark:text-amber-200'}>{text}</span>
      {!good && allowed ? <span className="muted block">Allowed to run by an administrator</span> : null}
      {!good && !allowed ? <span className="muted block">Enabling is refused until it is signed by a trusted key</span> : null}
    </p>
  );
}

export default function Plugins() {
  const { items } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const data = useActionData<typeof action>() as ActionResult | Confirm | undefined;
  const result = data && 'ok' in data ? (data as ActionResult) : undefined;
  const confirm = data && 'confirm' in data ? (data as Confirm).confirm : undefined;
  const canManage = me.permissions.includes('platform.plugins.manage');
  return (
    <>
      <PageHeader title="Plugins" description="Enable or disable features at runtime; pages and routes follow at once." />
      <ResultToast result={result} />
      {/* Keyed by what it asks, so a second question is a fresh dialog. */}
      {confirm ? <ConfirmDisable key={`${confirm.id}:${confirm.dependents.join(',')}`} impact={confirm} items={items} /> : null}
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
          { label: 'Signature', render: (p) => <PluginSignature signature={p.signature} /> },
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
