/**
 * A page a plugin declared as data (sdk/src/panel.ts): text, tables bound to its GET routes
 * with buttons on each row, charts (SVG drawn on the server), forms generated from its TypeBox
 * schemas. Found in `GET /v1/panel/pages` on every request, so it appears and vanishes with the
 * plugin.
 *
 * Everything works without JavaScript: a row button is a small form, a question before a
 * destructive call is a page of its own (the action answers with the question, the page shows
 * it with a confirming form), and what an answer reveals (a password shown once) is rendered
 * in the page the action returns.
 */
import { Form, useActionData, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { ConfirmCard, ResultCard, RowActions, type Confirmation, type Revealed } from '../components/plugin-page-parts';
import { DataTable } from '../components/data-table';
import { LineChart } from '../components/line-chart';
import { SchemaFields, readSchemaForm, schemaLabels } from '../components/schema-form';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, PageHeader, StatusBadge, formatBytes, formatDate, formatMoney } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import { describe } from '../lib/errors';
import { fillPath, fillText, safePanelLink, safeRoute, valueAt } from '../lib/placeholders';
import type { JsonSchema, List, PanelColumn, PanelPage, PanelResult, PanelSection } from '../lib/types';

async function findPage(api: Api, request: Request, pluginId: string, pageId: string): Promise<PanelPage> {
  const pages = must(request, await api.get<List<PanelPage>>('/panel/pages'));
  const page = pages.items.find((p) => p.pluginId === pluginId && p.id === pageId);
  if (!page) throw new Response('Not found', { status: 404 });
  return page;
}

/** The page's query parameters (only those it declares); a 404 when one is missing. */
function pageParams(page: PanelPage, request: Request): Record<string, string> {
  const search = new URL(request.url).searchParams;
  const out: Record<string, string> = {};
  for (const name of page.params) {
    const value = search.get(name);
    if (!value || value.length > 200) throw new Response('Not found', { status: 404 });
    out[name] = value;
  }
  return out;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const page = await findPage(api, request, params.pluginId ?? '', params.pageId ?? '');
  const vars = pageParams(page, request);
  let heading = page.title;
  if (page.titleFrom) {
    const route = safeRoute(fillPath(page.titleFrom.source, (n) => vars[n]));
    const res = route ? await api.get<unknown>(route) : null;
    // What the caller may not read (another tenant's zone) is not there for them.
    if (!res || !res.ok) throw new Response('Not found', { status: 404 });
    const value = valueAt(res.data, page.titleFrom.field);
    if (typeof value === 'string' && value !== '') heading = value;
  }
  const tables = await Promise.all(
    page.sections.map(async (section) => {
      if (section.kind !== 'table' && section.kind !== 'chart') return null;
      const route = safeRoute(fillPath(section.source, (n) => vars[n]));
      if (!route) return { rows: [], error: 'This table points outside the API.' };
      const res = await api.get<unknown>(route);
      if (!res.ok) return { rows: [], error: describe(res.error) };
      const rows = Array.isArray(res.data) ? res.data : ((res.data as { items?: unknown[] }).items ?? []);
      return { rows: rows as Record<string, unknown>[], error: null };
    }),
  );
  const schemas = await Promise.all(
    page.sections.map((section) => (section.kind === 'form' ? formSchema(api, section, vars) : null)),
  );
  return { page, tables, heading, schemas };
}

type FormSection = Extract<PanelSection, { kind: 'form' }>;

/**
 * The form's schema with each `choices` field made a select of the listed items. A list that
 * cannot be read leaves the field a text input: the API still says what it accepts.
 */
async function formSchema(api: Api, section: FormSection, vars: Record<string, string>): Promise<JsonSchema> {
  const properties = { ...(section.schema.properties ?? {}) };
  for (const [field, choice] of Object.entries(section.choices ?? {})) {
    const prop = properties[field];
    const route = safeRoute(fillPath(choice.source, (n) => vars[n]));
    if (!prop || !route) continue;
    const res = await api.get<unknown>(route);
    if (!res.ok) continue;
    const items = Array.isArray(res.data) ? res.data : ((res.data as { items?: unknown[] }).items ?? []);
    const anyOf = items
      .map((item) => ({ const: valueAt(item, choice.value), title: String(valueAt(item, choice.label) ?? '') }))
      .filter((c) => typeof c.const === 'string' || typeof c.const === 'number');
    if (anyOf.length > 0) properties[field] = { ...prop, anyOf };
  }
  return { ...section.schema, properties };
}

type PageActionResult = ActionResult | { ok: true; confirm: Confirmation };

function revealed(result: PanelResult | undefined, data: unknown): Revealed | undefined {
  if (!result) return undefined;
  return {
    title: result.title ?? 'Result',
    once: result.once === true,
    fields: result.fields.map((f) => ({ label: f.label, value: String(valueAt(data, f.field) ?? '—') })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<PageActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const page = await findPage(api, request, params.pluginId ?? '', params.pageId ?? '');
  const vars = pageParams(page, request);
  const sectionIndex = String(form.get('_section'));
  const section = page.sections[Number(sectionIndex)];
  const gone = { ok: false as const, errors: { message: 'This form no longer exists.', fields: {} } };
  const outside = { ok: false as const, errors: { message: 'This form points outside the API.', fields: {} } };
  if (section?.kind === 'form') {
    const route = safeRoute(fillPath(section.submit.route, (n) => vars[n]));
    if (!route) return outside;
    const res = await api.call(section.submit.method, route, readSchemaForm(section.schema, form));
    if (!res.ok) return failed(res, {}, sectionIndex, schemaLabels(section.schema));
    const shown = revealed(section.result, res.data);
    return done('Saved.', shown ? { revealed: shown } : {});
  }
  const actionIndex = String(form.get('_action'));
  const rowAction = section?.kind === 'table' ? section.actions?.[Number(actionIndex)] : undefined;
  if (!rowAction) return gone;
  // The row's values travel as `_v.<field>` hidden fields: they only fill placeholders
  // (URL-encoded), and the API decides whether this caller may act on what they name.
  const rowValue = (name: string) => {
    const v = form.get(`_v.${name}`);
    return typeof v === 'string' ? v : vars[name];
  };
  const route = safeRoute(fillPath(rowAction.route, rowValue));
  if (!route) return outside;
  if (rowAction.confirm && form.get('_confirmed') !== '1') {
    const values: Record<string, string> = {};
    for (const [key, value] of form.entries()) if (key.startsWith('_v.') && typeof value === 'string') values[key] = value;
    return {
      ok: true,
      confirm: {
        question: fillText(rowAction.confirm, rowValue),
        label: rowAction.label,
        danger: rowAction.danger === true,
        fields: { _section: sectionIndex, _action: actionIndex, ...values },
      },
    };
  }
  const res = await api.call(rowAction.method, route, rowAction.method === 'DELETE' ? undefined : {});
  if (!res.ok) return failed(res, {}, `${sectionIndex}.${actionIndex}`);
  const shown = revealed(rowAction.result, res.data);
  return done(`${rowAction.label}: done.`, shown ? { revealed: shown } : {});
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

function cell(row: Record<string, unknown>, column: PanelColumn): React.ReactNode {
  const currency = column.currencyField ? valueAt(row, column.currencyField) : undefined;
  const shown = formatCell(valueAt(row, column.field), column.format, currency);
  const href = column.link ? safePanelLink(fillPath(column.link, (n) => valueAt(row, n))) : null;
  return href ? (
    <a className="link" href={href}>
      {shown}
    </a>
  ) : (
    shown
  );
}

function Section({
  page,
  index,
  table,
  schema,
  result,
  action,
}: {
  page: PanelPage;
  index: number;
  table: { rows: Record<string, unknown>[]; error: string | null } | null;
  schema: JsonSchema | null;
  result: PageActionResult | undefined;
  action: string;
}) {
  const section = page.sections[index]!;
  const refused = result && !result.ok ? result : undefined;
  if (section.kind === 'text') return <p className="muted">{section.text}</p>;
  if (section.kind === 'chart') {
    return (
      <div>
        {section.title ? <h2 className="mb-2 text-lg font-semibold">{section.title}</h2> : null}
        {table?.error ? <Alert kind="error">{table.error}</Alert> : null}
        <LineChart
          title={section.title ?? 'Chart'}
          rows={table?.rows ?? []}
          x={section.x}
          series={section.series}
          {...(section.format ? { format: section.format } : {})}
        />
      </div>
    );
  }
  if (section.kind === 'table') {
    const actions = section.actions ?? [];
    const rowRefused = refused?.intent?.startsWith(`${index}.`) ? refused : undefined;
    return (
      <div>
        {section.title ? <h2 className="mb-2 text-lg font-semibold">{section.title}</h2> : null}
        {table?.error ? <Alert kind="error">{table.error}</Alert> : null}
        {rowRefused ? <Alert kind="error">{rowRefused.errors.message}</Alert> : null}
        <DataTable
          caption={section.title ?? 'Items'}
          rows={table?.rows ?? []}
          empty={section.empty ?? 'Nothing here yet.'}
          columns={[
            ...section.columns.map((c) => ({ label: c.label, render: (row: Record<string, unknown>) => cell(row, c) })),
            ...(actions.length > 0
              ? [
                  {
                    label: 'Actions',
                    render: (row: Record<string, unknown>) => (
                      <RowActions
                        actions={actions}
                        section={index}
                        row={row}
                        name={String(valueAt(row, section.columns[0]?.field ?? 'id') ?? '')}
                        formAction={action}
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
      </div>
    );
  }
  const mine = refused && refused.intent === String(index) ? refused : undefined;
  return (
    <Card title={section.title ?? 'Form'}>
      <Form method="post" action={action} className="space-y-4">
        <CsrfInput />
        <input type="hidden" name="_section" value={index} />
        {mine ? <Alert kind="error">{mine.errors.message}</Alert> : null}
        <SchemaFields schema={schema ?? section.schema} errors={mine?.errors.fields ?? {}} idPrefix={`s${index}`} />
        <button type="submit" className="btn-primary">
          {section.submit.label ?? 'Save'}
        </button>
      </Form>
    </Card>
  );
}

export default function PluginPage() {
  const { page, tables, heading, schemas } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const location = useLocation();
  // Posts go back to this very page, query parameters included (a detail page needs them).
  const formAction = `${location.pathname}${location.search}`;
  const confirm = result && 'confirm' in result ? (result.confirm as Confirmation) : undefined;
  const shown = result && result.ok && 'revealed' in result ? (result.revealed as Revealed) : undefined;
  return (
    <>
      <PageHeader title={heading} />
      <ResultToast result={confirm ? undefined : (result as ActionResult | undefined)} />
      <div className="space-y-6">
        {confirm ? <ConfirmCard confirm={confirm} formAction={formAction} /> : null}
        {shown ? <ResultCard revealed={shown} /> : null}
        {page.sections.map((_, i) => (
          <Section
            key={i}
            page={page}
            index={i}
            table={tables[i] ?? null}
            schema={schemas[i] ?? null}
            result={result}
            action={formAction}
          />
        ))}
      </div>
    </>
  );
}
