/**
 * A page a plugin declared as data (sdk/src/panel.ts): text, tables bound to its GET routes,
 * forms generated from its TypeBox schemas. Found in `GET /v1/panel/pages` on every request, so
 * it appears and vanishes with the plugin.
 */
import { Form, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { SchemaFields, readSchemaForm, schemaLabels } from '../components/schema-form';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, PageHeader, StatusBadge, formatBytes, formatDate, formatMoney } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import { describe } from '../lib/errors';
import type { List, PanelColumn, PanelPage, PanelSection } from '../lib/types';

async function findPage(api: Api, request: Request, pluginId: string, pageId: string): Promise<PanelPage> {
  const pages = must(request, await api.get<List<PanelPage>>('/panel/pages'));
  const page = pages.items.find((p) => p.pluginId === pluginId && p.id === pageId);
  if (!page) throw new Response('Not found', { status: 404 });
  return page;
}

/** Only the plugin's own API, relative to /v1: never another origin or a path escape. */
function safeRoute(route: string): string | null {
  return /^\/[A-Za-z0-9/_\-.?=&]*$/.test(route) && !route.includes('..') ? route : null;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const page = await findPage(api, request, params.pluginId ?? '', params.pageId ?? '');
  const tables = await Promise.all(
    page.sections.map(async (section) => {
      if (section.kind !== 'table') return null;
      const route = safeRoute(section.source);
      if (!route) return { rows: [], error: 'This table points outside the API.' };
      const res = await api.get<unknown>(route);
      if (!res.ok) return { rows: [], error: describe(res.error) };
      const rows = Array.isArray(res.data) ? res.data : ((res.data as { items?: unknown[] }).items ?? []);
      return { rows: rows as Record<string, unknown>[], error: null };
    }),
  );
  return { page, tables };
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const page = await findPage(api, request, params.pluginId ?? '', params.pageId ?? '');
  const section = page.sections[Number(form.get('_section'))];
  if (!section || section.kind !== 'form') return { ok: false, errors: { message: 'This form no longer exists.', fields: {} } };
  const route = safeRoute(section.submit.route);
  if (!route) return { ok: false, errors: { message: 'This form points outside the API.', fields: {} } };
  const res = await api.call(section.submit.method, route, readSchemaForm(section.schema, form));
  return res.ok ? done('Saved.') : failed(res, {}, String(form.get('_section')), schemaLabels(section.schema));
}

function valueAt(row: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), row);
}

function formatCell(value: unknown, format: PanelColumn['format'], currency?: unknown): React.ReactNode {
  switch (format) {
    case 'date':
      return formatDate(value);
    case 'status':
      return <StatusBadge status={value === null || value === undefined ? null : String(value)} />;
    case 'money':
      return typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? formatMoney(value, currency) : formatMoney(value);
    case 'bytes':
      return formatBytes(value);
    case 'link':
      return typeof value === 'string' && /^https?:\/\//.test(value) ? (
        <a className="link" href={value} rel="noreferrer">
          {value}
        </a>
      ) : (
        String(value ?? '—')
      );
    default:
      return value === null || value === undefined || value === ''
        ? '—'
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  }
}

function Section({
  section,
  index,
  table,
  result,
}: {
  section: PanelSection;
  index: number;
  table: { rows: Record<string, unknown>[]; error: string | null } | null;
  result: ActionResult | undefined;
}) {
  if (section.kind === 'text') return <p className="muted">{section.text}</p>;
  if (section.kind === 'table') {
    return (
      <div>
        {section.title ? <h2 className="mb-2 text-lg font-semibold">{section.title}</h2> : null}
        {table?.error ? <Alert kind="error">{table.error}</Alert> : null}
        <DataTable
          caption={section.title ?? 'Items'}
          rows={table?.rows ?? []}
          empty={section.empty ?? 'Nothing here yet.'}
          columns={section.columns.map((c) => ({
            label: c.label,
            render: (row: Record<string, unknown>) =>
              formatCell(valueAt(row, c.field), c.format, c.currencyField ? valueAt(row, c.currencyField) : undefined),
          }))}
        />
      </div>
    );
  }
  const mine = result && !result.ok && result.intent === String(index) ? result : undefined;
  return (
    <Card title={section.title ?? 'Form'}>
      <Form method="post" className="space-y-4">
        <CsrfInput />
        <input type="hidden" name="_section" value={index} />
        {mine ? <Alert kind="error">{mine.errors.message}</Alert> : null}
        <SchemaFields schema={section.schema} errors={mine?.errors.fields ?? {}} idPrefix={`s${index}`} />
        <button type="submit" className="btn-primary">
          {section.submit.label ?? 'Save'}
        </button>
      </Form>
    </Card>
  );
}

export default function PluginPage() {
  const { page, tables } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title={page.title} />
      <ResultToast result={result} />
      <div className="space-y-6">
        {page.sections.map((section, i) => (
          <Section key={i} section={section} index={i} table={tables[i] ?? null} result={result} />
        ))}
      </div>
    </>
  );
}
