/** One plugin: details, and its config as a form generated from its TypeBox schema. */
import { Form, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { SchemaFields, readSchemaForm, schemaLabels } from '../components/schema-form';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, PageHeader } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import type { JsonSchema } from '../lib/types';
import { PluginSignature, PluginState, type PluginStatus } from './admin-plugins';

// What the kernel shows for a stored secret, and accepts back as "unchanged" (core SECRET_MASK).
const SECRET_MASK = '********';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const id = encodeURIComponent(params.id ?? '');
  const plugin = must(request, await api.get<PluginStatus>(`/plugins/${id}`));
  const config = plugin.configSchema ? await api.get<{ config: Record<string, unknown> }>(`/plugins/${id}/config`) : null;
  return { plugin, config: config?.ok ? config.data.config : {} };
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const id = encodeURIComponent(params.id ?? '');
  const plugin = await api.get<PluginStatus>(`/plugins/${id}`);
  if (!plugin.ok) return failed(plugin);
  const schema = plugin.data.configSchema as JsonSchema;
  const config = readSchemaForm(schema, form, { secretMask: SECRET_MASK });
  const res = await api.put(`/plugins/${id}/config`, { config });
  if (res.ok) return done('Config saved; the plugin restarted with it.');
  // Refilled by input name (`wordpress.databaseHost`), named by the schema's titles.
  const labels = schemaLabels(schema);
  return failed({ ...res, sent: config }, {}, undefined, { ...labels, ...prefixed(labels) });
}

/** The gateway names config fields `config.<name>` (the kernel, `/<name>`): one name for both. */
function prefixed(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`config.${k}`, v]));
}

function configFieldErrors(result: ActionResult | undefined): Record<string, string> {
  if (!result || result.ok) return {};
  return Object.fromEntries(
    Object.entries(result.errors.fields).map(([field, message]) => [field.replace(/^config\./, ''), message]),
  );
}

export default function PluginDetail() {
  const { plugin, config } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const schema = plugin.configSchema as JsonSchema | null;
  return (
    <>
      <PageHeader title={plugin.displayName || plugin.id} description={plugin.description} />
      <ResultToast result={result} />
      <div className="space-y-6">
        <Card title="Status">
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="muted">State</dt>
            <dd>
              <PluginState plugin={plugin} />
            </dd>
            <dt className="muted">Signature</dt>
            <dd>
              <PluginSignature signature={plugin.signature} />
            </dd>
            <dt className="muted">Version</dt>
            <dd>
              {plugin.version} ({plugin.source})
            </dd>
            <dt className="muted">Needs</dt>
            <dd>
              {Object.entries(plugin.requires)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || '—'}
            </dd>
            <dt className="muted">Provides</dt>
            <dd>{plugin.provides.join(', ') || '—'}</dd>
            <dt className="muted">Asks for</dt>
            <dd className="font-mono text-xs">{plugin.permissions.join(', ') || '—'}</dd>
          </dl>
        </Card>
        <Card title="Configuration">
          {schema && schema.properties && Object.keys(schema.properties).length > 0 ? (
            <Form method="post" className="space-y-4">
              <CsrfInput />
              {result && !result.ok ? <Alert kind="error">{result.errors.message}</Alert> : null}
              <SchemaFields schema={schema} values={config} errors={configFieldErrors(result)} idPrefix="cfg" />
              <button type="submit" className="btn-primary">
                Save and restart
              </button>
            </Form>
          ) : (
            <p className="muted text-sm">This plugin has nothing to configure.</p>
          )}
        </Card>
      </div>
    </>
  );
}
