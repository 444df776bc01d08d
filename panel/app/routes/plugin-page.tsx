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
import {
  Form,
  redirect,
  useActionData,
  useLoaderData,
  useLocation,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import {
  ConfirmCard,
  LeaveCard,
  ResultCard,
  RowActions,
  type Confirmation,
  type Revealed,
} from '../components/plugin-page-parts';
import { DataTable } from '../components/data-table';
import { DetailSection } from '../components/detail-section';
import { LiveLog } from '../components/live-log';
import { LineChart } from '../components/line-chart';
import { LiveRefresh } from '../components/live';
import { PluginCell } from '../components/plugin-cells';
import { SchemaFields, fileFields, hasFileField, inlineFiles, readSchemaForm, schemaLabels } from '../components/schema-form';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, PageHeader } from '../components/ui';
import { Api, apiForForm, impersonationOf, readForm, requireUser } from '../lib/api.server';
import { done, failed, type ActionResult } from '../lib/action';
import { flashCookie } from '../lib/flash';
import { conditionsHold } from '../lib/conditions';
import { describe } from '../lib/errors';
import { fillPath, fillText, safePanelLink, safeRoute, valueAt } from '../lib/placeholders';
import { findPage, onceReader, pageAddress, pageVars, rowsOf } from '../lib/plugin-pages.server';
import type { JsonSchema, PanelPage, PanelResult, PanelSection } from '../lib/types';

/** What a table, chart or detail section read from its source. */
interface SectionData {
  rows: Record<string, unknown>[];
  resource: Record<string, unknown> | null;
  error: string | null;
  /** A log section's text so far, whether it still grows, and where the browser follows it. */
  log?: { text: string; active: boolean; streamUrl: string | null };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const [page, me] = await Promise.all([
    findPage(api, request, params.pluginId ?? '', params.pageId ?? ''),
    requireUser(request, context),
  ]);
  const vars = pageVars(page, new URL(request.url).searchParams, params.key, me.user.id);
  const read = onceReader(api);
  let heading = page.title;
  if (page.titleFrom) {
    const route = safeRoute(fillPath(page.titleFrom.source, (n) => vars[n]));
    const res = route ? await read(route) : null;
    // What the caller may not read (another tenant's zone) is not there for them.
    if (!res || !res.ok) throw new Response('Not found', { status: 404 });
    const value = valueAt(res.data, page.titleFrom.field);
    if (typeof value === 'string' && value !== '') heading = value;
  }
  const tables = await Promise.all(
    page.sections.map(async (section): Promise<SectionData | null> => {
      if (section.kind !== 'table' && section.kind !== 'chart' && section.kind !== 'detail' && section.kind !== 'log')
        return null;
      const route = safeRoute(fillPath(section.source, (n) => vars[n]));
      if (!route) return { rows: [], resource: null, error: 'This section points outside the API.' };
      const res = await read(route);
      if (section.kind === 'detail') {
        // Not made yet (the caller's own settings): say so, and let the page's forms make it.
        if (!res.ok && res.status === 404 && section.empty !== undefined) return { rows: [], resource: null, error: null };
        // Another tenant's id, or one that never was: nothing to show, as for titleFrom.
        if (!res.ok && (res.status === 404 || res.status === 400)) throw new Response('Not found', { status: 404 });
        if (!res.ok) return { rows: [], resource: null, error: describe(res.error) };
        const resource = res.data && typeof res.data === 'object' ? (res.data as Record<string, unknown>) : null;
        return { rows: [], resource, error: resource ? null : 'The API answered no object.' };
      }
      if (section.kind === 'log') {
        if (!res.ok && (res.status === 404 || res.status === 400)) throw new Response('Not found', { status: 404 });
        if (!res.ok) return { rows: [], resource: null, error: describe(res.error) };
        const text = valueAt(res.data, section.field);
        const active = conditionsHold(section.while, res.data);
        const stream = safeRoute(fillPath(section.stream, (n) => valueAt(res.data, n) ?? vars[n]));
        // The browser opens the stream itself, with its own session cookie: an impersonation's
        // token stays in the panel's cookie, so that page polls instead.
        const streamUrl = active && stream && !impersonationOf(request) ? `/v1${stream}` : null;
        return { rows: [], resource: null, error: null, log: { text: typeof text === 'string' ? text : '', active, streamUrl } };
      }
      if (!res.ok) return { rows: [], resource: null, error: describe(res.error) };
      const field = section.kind === 'table' ? section.field : undefined;
      // A table of an array field keeps its resource: rows may take its currency.
      const resource = field && res.data && typeof res.data === 'object' ? (res.data as Record<string, unknown>) : null;
      return { rows: rowsOf(res.data, field), resource, error: null };
    }),
  );
  const schemas = await Promise.all(
    page.sections.map((section) => (section.kind === 'form' ? formSchema(api, section, vars) : null)),
  );
  // A form shows only when the caller holds its permission and its `when` holds on `about`.
  const formsShown = await Promise.all(
    page.sections.map(async (section) => {
      if (section.kind !== 'form') return true;
      if (section.permission && !me.permissions.includes(section.permission)) return false;
      if (!section.when || section.when.length === 0) return true;
      const route = section.about ? safeRoute(fillPath(section.about, (n) => vars[n])) : null;
      const res = route ? await read(route) : null;
      return res?.ok === true && conditionsHold(section.when, res.data);
    }),
  );
  const values = await Promise.all(
    page.sections.map(async (section) => {
      if (section.kind !== 'form' || !section.values) return null;
      const route = safeRoute(fillPath(section.values, (n) => vars[n]));
      const res = route ? await read(route) : null;
      return res?.ok && res.data && typeof res.data === 'object' ? (res.data as Record<string, unknown>) : null;
    }),
  );
  const { query } = pageAddress(page, vars);
  const downloadBase = `/download/${page.pluginId}/${page.id}`;
  return {
    page,
    tables,
    heading,
    schemas,
    values,
    formsShown,
    permissions: me.permissions,
    // Downloads carry the page's parameters: the download route reads the resource again.
    downloadQuery: { base: downloadBase, query: query.toString(), key: page.pathParam ? (vars[page.pathParam] ?? '') : '' },
  };
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

/** An absolute http(s) URL an answer sends the browser to (a hosted checkout page), or null. */
function redirectTarget(data: unknown, field: string | undefined): string | null {
  const value = field ? valueAt(data, field) : undefined;
  if (typeof value !== 'string' || value.length > 4000) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<PageActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const [page, me] = await Promise.all([
    findPage(api, request, params.pluginId ?? '', params.pageId ?? ''),
    requireUser(request, context),
  ]);
  const vars = pageVars(page, new URL(request.url).searchParams, params.key, me.user.id);
  const sectionIndex = String(form.get('_section'));
  const section = page.sections[Number(sectionIndex)];
  const gone = { ok: false as const, errors: { message: 'This form no longer exists.', fields: {} } };
  const outside = { ok: false as const, errors: { message: 'This form points outside the API.', fields: {} } };
  if (section?.kind === 'form') {
    const route = safeRoute(fillPath(section.submit.route, (n) => vars[n]));
    if (!route) return outside;
    const res = await api.call(
      section.submit.method,
      route,
      readSchemaForm(section.schema, await inlineFiles(section.schema, form)),
    );
    if (!res.ok) {
      const refused = failed(res, {}, sectionIndex, schemaLabels(section.schema));
      // A file input cannot be refilled: its bytes are not sent back into the page.
      if (!refused.ok) for (const name of fileFields(section.schema)) delete refused.values?.[name];
      return refused;
    }
    const shown = revealed(section.result, res.data);
    return done('Saved.', shown ? { revealed: shown } : {});
  }
  const actionIndex = String(form.get('_action'));
  const rowAction = section?.kind === 'table' || section?.kind === 'detail' ? section.actions?.[Number(actionIndex)] : undefined;
  if (!rowAction) return gone;
  // The row's values travel as `_v.<field>` hidden fields: they only fill placeholders
  // (URL-encoded), and the API decides whether this caller may act on what they name.
  const rowValue = (name: string) => {
    const v = form.get(`_v.${name}`);
    return name !== 'me' && typeof v === 'string' ? v : vars[name];
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
  const res = await api.call(rowAction.method, route, rowAction.method === 'DELETE' ? undefined : (rowAction.body ?? {}));
  if (!res.ok) return failed(res, {}, `${sectionIndex}.${actionIndex}`);
  // Not a 302: the panel's CSP (`form-action 'self'`) stops a form post from being redirected to
  // another origin. The page says where it goes on and goes there (a refresh, then a link).
  const target = redirectTarget(res.data, rowAction.redirect);
  if (target) return done(`${rowAction.label}: continue on the next page.`, { leave: target });
  // Another panel page (this one may show nothing any more): a same-origin redirect with a toast.
  const next = rowAction.next ? safePanelLink(fillPath(rowAction.next, rowValue)) : null;
  if (next)
    throw redirect(next, {
      headers: { 'set-cookie': flashCookie(request, { kind: 'success', message: `${rowAction.label}: done.` }) },
    });
  const shown = revealed(rowAction.result, res.data);
  return done(`${rowAction.label}: done.`, shown ? { revealed: shown } : {});
}

function Section({
  page,
  index,
  data,
  schema,
  values,
  result,
  action,
  permissions,
  downloadHref,
}: {
  page: PanelPage;
  index: number;
  data: SectionData | null;
  schema: JsonSchema | null;
  values: Record<string, unknown> | null;
  result: PageActionResult | undefined;
  action: string;
  permissions: readonly string[];
  downloadHref: (section: number, item: number) => string;
}) {
  const section = page.sections[index]!;
  const refused = result && !result.ok ? result : undefined;
  if (section.kind === 'text') return <p className="muted">{section.text}</p>;
  if (section.kind === 'log') {
    if (data?.error) return <Alert kind="error">{data.error}</Alert>;
    return (
      <LiveLog
        title={section.title ?? 'Log'}
        text={data?.log?.text ?? ''}
        active={data?.log?.active ?? false}
        streamUrl={data?.log?.streamUrl ?? null}
        index={index}
      />
    );
  }
  if (section.kind === 'chart') {
    return (
      <div>
        {section.title ? <h2 className="mb-2 text-lg font-semibold">{section.title}</h2> : null}
        {data?.error ? <Alert kind="error">{data.error}</Alert> : null}
        <LineChart
          title={section.title ?? 'Chart'}
          rows={data?.rows ?? []}
          x={section.x}
          series={section.series}
          {...(section.format ? { format: section.format } : {})}
        />
      </div>
    );
  }
  if (section.kind === 'detail') {
    return (
      <DetailSection
        title={section.title ?? 'Details'}
        index={index}
        fields={section.fields}
        actions={section.actions ?? []}
        downloads={section.downloads ?? []}
        resource={data?.resource ?? null}
        error={data?.error ?? null}
        empty={section.empty}
        permissions={permissions}
        formAction={action}
        downloadHref={(i) => downloadHref(index, i)}
        refused={refused?.intent?.startsWith(`${index}.`) ? refused.errors.message : undefined}
      />
    );
  }
  if (section.kind === 'table') {
    const actions = section.actions ?? [];
    const rowRefused = refused?.intent?.startsWith(`${index}.`) ? refused : undefined;
    return (
      <div>
        {section.title ? <h2 className="mb-2 text-lg font-semibold">{section.title}</h2> : null}
        {data?.error ? <Alert kind="error">{data.error}</Alert> : null}
        {rowRefused ? <Alert kind="error">{rowRefused.errors.message}</Alert> : null}
        {section.live ? (
          <LiveRefresh active={(data?.rows ?? []).some((row) => conditionsHold(section.live, row, data?.resource))} />
        ) : null}
        <DataTable
          caption={section.title ?? 'Items'}
          rows={data?.rows ?? []}
          empty={section.empty ?? 'Nothing here yet.'}
          columns={[
            ...section.columns.map((c) => ({
              label: c.label,
              render: (row: Record<string, unknown>) => <PluginCell row={row} column={c} parent={data?.resource} />,
            })),
            ...(actions.length > 0
              ? [
                  {
                    label: 'Actions',
                    render: (row: Record<string, unknown>) => (
                      <RowActions
                        actions={actions}
                        section={index}
                        row={row}
                        parent={data?.resource}
                        name={String(valueAt(row, section.columns[0]?.field ?? 'id') ?? '')}
                        formAction={action}
                        permissions={permissions}
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
      <Form
        method="post"
        action={action}
        className="space-y-4"
        {...(hasFileField(section.schema) ? { encType: 'multipart/form-data' as const } : {})}
      >
        <CsrfInput />
        <input type="hidden" name="_section" value={index} />
        {mine ? <Alert kind="error">{mine.errors.message}</Alert> : null}
        <SchemaFields
          schema={schema ?? section.schema}
          values={values ?? {}}
          errors={mine?.errors.fields ?? {}}
          idPrefix={`s${index}`}
        />
        <button type="submit" className="btn-primary">
          {section.submit.label ?? 'Save'}
        </button>
      </Form>
    </Card>
  );
}

export default function PluginPage() {
  const { page, tables, heading, schemas, values, formsShown, permissions, downloadQuery } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const location = useLocation();
  // Posts go back to this very page, query parameters included (a detail page needs them).
  const formAction = `${location.pathname}${location.search}`;
  const confirm = result && 'confirm' in result ? (result.confirm as Confirmation) : undefined;
  const shown = result && result.ok && 'revealed' in result ? (result.revealed as Revealed) : undefined;
  const leave = result && result.ok && 'leave' in result && typeof result.leave === 'string' ? result.leave : undefined;
  const downloadHref = (section: number, item: number) => {
    const query = new URLSearchParams(downloadQuery.query);
    query.set('_s', String(section));
    query.set('_d', String(item));
    if (downloadQuery.key) query.set('_key', downloadQuery.key);
    return `${downloadQuery.base}?${query.toString()}`;
  };
  return (
    <>
      <PageHeader title={heading} />
      <ResultToast result={confirm || leave ? undefined : (result as ActionResult | undefined)} />
      <div className="space-y-6">
        {confirm ? <ConfirmCard confirm={confirm} formAction={formAction} /> : null}
        {shown ? <ResultCard revealed={shown} /> : null}
        {leave ? <LeaveCard url={leave} /> : null}
        {page.sections.map((_, i) =>
          formsShown[i] === false ? null : (
            <Section
              key={i}
              page={page}
              index={i}
              data={tables[i] ?? null}
              schema={schemas[i] ?? null}
              values={values[i] ?? null}
              result={result}
              action={formAction}
              permissions={permissions}
              downloadHref={downloadHref}
            />
          ),
        )}
      </div>
    </>
  );
}
