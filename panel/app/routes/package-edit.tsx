/**
 * Create or edit a package: name, prices, limits (empty = unlimited), features, visibility, and
 * while the backups plugin is enabled its schedule, retention and storage; while the DNS plugin
 * is, the package's zone template (its own form: the DNS plugin stores it).
 */
import { Form, redirect, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { ResultToast } from '../components/toasts';
import { Card, CsrfInput, Field, PageHeader } from '../components/ui';
import { Api, apiForForm, must, readForm, requireUser } from '../lib/api.server';
import { resellerAllowance } from '../lib/allowance.server';
import { NoAllowanceNotice } from '../components/ask-provider';
import { failed, fieldError, text, type ActionResult } from '../lib/action';
import { flashCookie } from '../lib/flash';
import { FEATURE_KEYS, FEATURE_LABELS, LIMIT_KEYS, LIMIT_LABELS, type List, type Package, type PanelPage } from '../lib/types';
import { backupFieldsOf } from '../lib/package-backups';
import { PackageBackupsCard } from '../components/package-backups';
import { PackageDnsCard } from '../components/package-dns';
import {
  DNS_TEMPLATE_FIELD,
  DNS_TEMPLATE_INHERIT,
  DNS_TEMPLATE_SAVE,
  parseTemplate,
  templateError,
  type PackageDnsPreview,
  type PackageDnsTemplate,
} from '../lib/package-dns';

/** Plugins whose panel pages are listed (pages come and go with their plugin). */
async function enabledPlugins(api: Api): Promise<Set<string>> {
  const pages = await api.get<List<PanelPage>>('/panel/pages');
  return new Set(pages.ok ? pages.data.items.map((p) => p.pluginId) : []);
}

/** The package's zone template and a sample domain's records, when the DNS plugin lets this user edit it. */
async function dnsTemplateOf(api: Api, packageId: string) {
  const path = `/dns/package-templates/${encodeURIComponent(packageId)}`;
  const template = await api.get<PackageDnsTemplate>(path);
  if (!template.ok) return { dnsTemplate: null, dnsPreview: null };
  const preview = await api.get<PackageDnsPreview>(`${path}/preview?domain=example.com`);
  return { dnsTemplate: template.data, dnsPreview: preview.ok ? preview.data : null };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const plugins = await enabledPlugins(api);
  const backups = plugins.has('backups');
  if (!params.id)
    return {
      pkg: null,
      allowance: await resellerAllowance(api, await requireUser(request, context)),
      backups,
      dnsTemplate: null,
      dnsPreview: null,
    };
  const pkg = must(request, await api.get<Package>(`/packages/${encodeURIComponent(params.id)}`));
  return {
    pkg,
    allowance: { has: true, provider: null },
    backups,
    ...(plugins.has('dns') ? await dnsTemplateOf(api, pkg.id) : { dnsTemplate: null, dnsPreview: null }),
  };
}

/** The DNS template form's two intents: save the lines, or drop the package's own template. */
async function dnsTemplateAction(
  request: Request,
  api: Api,
  packageId: string,
  form: FormData,
): Promise<ActionResult | Response> {
  const path = `/dns/package-templates/${encodeURIComponent(packageId)}`;
  const text = String(form.get(DNS_TEMPLATE_FIELD) ?? '');
  const refused = (message: string): ActionResult => ({
    ok: false,
    intent: DNS_TEMPLATE_SAVE,
    errors: { message, fields: { [DNS_TEMPLATE_FIELD]: message } },
    values: { [DNS_TEMPLATE_FIELD]: text },
  });
  let message = 'DNS template saved.';
  if (form.get('intent') === DNS_TEMPLATE_INHERIT) {
    const res = await api.delete(path);
    if (!res.ok) return failed(res);
    message = 'The package uses the inherited DNS template again.';
  } else {
    const parsed = parseTemplate(text);
    if ('error' in parsed) return refused(parsed.error);
    const res = await api.put(path, { records: parsed.records });
    if (!res.ok) return refused(templateError(res.error, parsed.lines));
  }
  return redirect(`/packages/${encodeURIComponent(packageId)}`, {
    headers: { 'set-cookie': flashCookie(request, { kind: 'success', message }) },
  });
}

/** "12.50" → 1250 minor units; empty → null; anything else is sent as is for the API to refuse. */
function money(value: string | undefined): number | null | string {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n * 100) : value;
}

function integerOrNull(value: string | undefined): number | null | string {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isInteger(n) ? n : value;
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const intent = form.get('intent');
  if ((intent === DNS_TEMPLATE_SAVE || intent === DNS_TEMPLATE_INHERIT) && params.id) {
    return dnsTemplateAction(request, api, params.id, form);
  }
  if (intent === 'archive' && params.id) {
    const res = await api.post(`/packages/${encodeURIComponent(params.id)}/archive`, {});
    if (!res.ok) return failed(res);
    return redirect('/packages', {
      headers: { 'set-cookie': flashCookie(request, { kind: 'success', message: 'Package archived.' }) },
    });
  }
  const body: Record<string, unknown> = {
    name: text(form, 'name') ?? '',
    description: String(form.get('description') ?? ''),
    currency: (text(form, 'currency') ?? '').toUpperCase(),
    prices: {
      monthly: money(text(form, 'prices.monthly')),
      quarterly: money(text(form, 'prices.quarterly')),
      yearly: money(text(form, 'prices.yearly')),
    },
    limits: Object.fromEntries(LIMIT_KEYS.map((k) => [k, integerOrNull(text(form, `limits.${k}`))])),
    features: {
      ...Object.fromEntries(FEATURE_KEYS.map((k) => [k, form.get(`features.${k}`) === 'on'])),
      php_versions: (text(form, 'features.php_versions') ?? '').split(/[\s,]+/).filter(Boolean),
    },
    visibility: text(form, 'visibility') ?? 'public',
  };
  const backup = backupFieldsOf(form);
  if (backup) {
    Object.assign(body.limits as Record<string, unknown>, backup.limits);
    Object.assign(body.features as Record<string, unknown>, backup.features);
  }
  const res = params.id
    ? await api.patch<Package>(`/packages/${encodeURIComponent(params.id)}`, body)
    : await api.post<Package>('/packages', body);
  if (!res.ok) return failed(res);
  return redirect('/packages', {
    headers: {
      'set-cookie': flashCookie(request, {
        kind: 'success',
        message: params.id ? 'Package saved.' : `Package ${res.data.name} created.`,
      }),
    },
  });
}

export default function PackageEdit() {
  const { pkg, allowance, backups, dnsTemplate, dnsPreview } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const err = (name: string) => fieldError(result, name);
  const price = (v: number | null | undefined) => (typeof v === 'number' ? (v / 100).toFixed(2) : '');
  return (
    <>
      <PageHeader
        title={pkg ? `Edit ${pkg.name}` : 'New package'}
        description="Empty limits mean unlimited. Prices in the package currency."
      />
      <ResultToast result={result} />
      {allowance.has ? null : <NoAllowanceNotice provider={allowance.provider} />}
      {allowance.has ? (
        <Form method="post" className="space-y-6" noValidate>
          <CsrfInput />
          <Card title="Basics">
            <div className="grid gap-4 sm:grid-cols-2">
              <Field name="name" label="Name" required defaultValue={pkg?.name} error={err('name')} />
              <Field
                name="currency"
                label="Currency (ISO code)"
                required
                defaultValue={pkg?.currency ?? 'EUR'}
                maxLength={3}
                error={err('currency')}
              />
              <div className="sm:col-span-2">
                <Field name="description" label="Description" error={err('description')}>
                  <textarea
                    id="f-description"
                    name="description"
                    rows={2}
                    className="input"
                    defaultValue={pkg?.description ?? ''}
                  />
                </Field>
              </div>
              <Field name="visibility" label="Visibility" error={err('visibility')}>
                <select id="f-visibility" name="visibility" className="input" defaultValue={pkg?.visibility ?? 'public'}>
                  <option value="public">Public: customers can see it</option>
                  <option value="reseller_only">Resellers only</option>
                  <option value="hidden">Hidden</option>
                </select>
              </Field>
            </div>
          </Card>
          <Card title="Prices">
            <div className="grid gap-4 sm:grid-cols-3">
              <Field
                refill={false}
                name="prices.monthly"
                label="Monthly"
                inputMode="text"
                defaultValue={price(pkg?.prices.monthly)}
                error={err('prices.monthly')}
              />
              <Field
                refill={false}
                name="prices.quarterly"
                label="Quarterly"
                inputMode="text"
                defaultValue={price(pkg?.prices.quarterly)}
                error={err('prices.quarterly')}
              />
              <Field
                refill={false}
                name="prices.yearly"
                label="Yearly"
                inputMode="text"
                defaultValue={price(pkg?.prices.yearly)}
                error={err('prices.yearly')}
              />
            </div>
          </Card>
          <Card title="Limits">
            <div className="grid gap-4 sm:grid-cols-4">
              {LIMIT_KEYS.map((k) => (
                <Field
                  key={k}
                  name={`limits.${k}`}
                  label={LIMIT_LABELS[k] ?? k}
                  inputMode="numeric"
                  placeholder="unlimited"
                  defaultValue={pkg ? (pkg.limits[k] ?? '') : ''}
                  error={err(`limits.${k}`)}
                />
              ))}
            </div>
          </Card>
          <Card title="Features">
            <div className="grid gap-3 sm:grid-cols-3">
              {FEATURE_KEYS.map((k) => (
                <label key={k} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    name={`features.${k}`}
                    defaultChecked={pkg?.features[k] === true}
                    className="size-4 accent-indigo-600"
                  />
                  {FEATURE_LABELS[k]}
                </label>
              ))}
            </div>
            <div className="mt-4 max-w-sm">
              <Field
                name="features.php_versions"
                label="PHP versions"
                hint="Comma-separated, e.g. 8.2, 8.3"
                defaultValue={Array.isArray(pkg?.features.php_versions) ? pkg.features.php_versions.join(', ') : '8.2'}
                error={err('features.php_versions')}
              />
            </div>
          </Card>
          {backups ? <PackageBackupsCard pkg={pkg} err={err} /> : null}
          <div className="flex gap-3">
            <button type="submit" className="btn-primary">
              {pkg ? 'Save package' : 'Create package'}
            </button>
            {pkg && !pkg.archived ? (
              <button type="submit" name="intent" value="archive" className="btn-danger" formNoValidate>
                Archive
              </button>
            ) : null}
          </div>
        </Form>
      ) : null}
      {dnsTemplate ? (
        <div className="mt-6">
          <PackageDnsCard template={dnsTemplate} preview={dnsPreview} error={err(DNS_TEMPLATE_FIELD)} />
        </div>
      ) : null}
    </>
  );
}
