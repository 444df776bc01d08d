/** Create a website: domain, type, PHP version, the subscription it counts against. */
import {
  Form,
  Link,
  redirect,
  useActionData,
  useLoaderData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, Field, PageHeader } from '../components/ui';
import { Api, apiForForm, readForm, requireUser } from '../lib/api.server';
import { websiteAllowance } from '../lib/allowance.server';
import { AskProvider, NoPackageNotice } from '../components/ask-provider';
import { failed, fieldError, text, type ActionResult } from '../lib/action';
import { flashCookie } from '../lib/flash';
import { limitText } from '../lib/plural';
import { WEBSITE_KINDS, type List, type Provider, type Subscription, type Website } from '../lib/types';

/** A create refused by the package's limit: shown beside the form with the way to more. */
type LimitRefusal = Extract<ActionResult, { ok: false }> & {
  limit: { resource: string; used: number; limit: number };
  provider: Provider | null;
};

interface Server {
  driver: string | null;
  state: 'ready' | 'degraded' | 'absent';
  reason: string | null;
  phpVersions: string[];
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const me = await requireUser(request, context);
  const [server, subs, allowance] = await Promise.all([
    api.get<Server>('/websites/server'),
    api.get<List<Subscription>>('/subscriptions?status=active&limit=100'),
    websiteAllowance(api, me),
  ]);
  return {
    server: server.ok ? server.data : null,
    subscriptions: subs.ok ? subs.data.items : [],
    allowance,
  };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | LimitRefusal | Response> {
  const form = await readForm(request);
  const kind = text(form, 'kind') ?? 'static';
  const body: Record<string, unknown> = { domain: text(form, 'domain') ?? '', kind };
  const aliases = (text(form, 'aliases') ?? '').split(/[\s,]+/).filter(Boolean);
  if (aliases.length > 0) body.aliases = aliases;
  const php = text(form, 'phpVersion');
  if (php && (kind === 'php' || kind === 'wordpress')) body.phpVersion = php;
  const subscriptionId = text(form, 'subscriptionId');
  if (subscriptionId) body.subscriptionId = subscriptionId;
  const api = apiForForm(request, context, form);
  const res = await api.post<Website>('/websites', body);
  if (!res.ok && res.error.code === 'LIMITS_ERR_EXCEEDED') {
    const provider = await api.get<{ provider: Provider | null }>('/provider');
    return {
      ...failed(res),
      limit: res.error.details as LimitRefusal['limit'],
      provider: provider.ok ? provider.data.provider : null,
    };
  }
  if (!res.ok) return failed(res);
  return redirect(`/websites/${res.data.id}`, {
    headers: { 'set-cookie': flashCookie(request, { kind: 'success', message: `${res.data.domainDisplay} is being set up.` }) },
  });
}

export default function NewWebsite() {
  const { server, subscriptions, allowance } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | LimitRefusal | undefined;
  const refusal = result && !result.ok && 'limit' in result ? result : undefined;
  const err = (name: string) => fieldError(result, name);
  const versions = server?.phpVersions.length ? server.phpVersions : ['8.2'];
  return (
    <>
      <PageHeader title="New website" description="It goes live within seconds; you can point your domain at the server later." />
      {refusal ? null : <ResultToast result={result} />}
      {allowance.noPackage ? <NoPackageNotice provider={allowance.provider} /> : null}
      {allowance.canCreate && server && server.state !== 'ready' ? (
        <div className="mb-4">
          <Alert kind="warning">
            The web server is {server.state}
            {server.reason ? `: ${server.reason}` : ''}. The website is saved and goes live once it is back.
          </Alert>
        </div>
      ) : null}
      {refusal ? (
        <div className="mb-4 space-y-2" data-testid="limit-refusal">
          <AskProvider provider={refusal.provider}>
            {limitText(refusal.limit)} To create more, get a bigger package: see it on your{' '}
            <Link className="link" to="/">
              dashboard
            </Link>
            .
          </AskProvider>
        </div>
      ) : null}
      {allowance.canCreate ? (
        <Card>
          <Form method="post" className="grid gap-4 sm:grid-cols-2">
            <CsrfInput />
            <Field
              name="domain"
              label="Domain"
              required
              placeholder="example.com"
              hint="Without http:// — e.g. example.com or shop.example.com"
              error={err('domain')}
            />
            <Field
              name="aliases"
              label="Other domains (optional)"
              placeholder="www.example.com"
              hint="Comma-separated"
              error={err('aliases')}
            />
            <Field name="kind" label="Type" error={err('kind')}>
              <select id="f-kind" name="kind" className="input" defaultValue="php">
                {Object.entries(WEBSITE_KINDS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </Field>
            <Field name="phpVersion" label="PHP version (PHP and WordPress)" error={err('phpVersion')}>
              <select id="f-phpVersion" name="phpVersion" className="input" defaultValue={versions[versions.length - 1]}>
                {versions.map((v) => (
                  <option key={v} value={v}>
                    PHP {v}
                  </option>
                ))}
              </select>
            </Field>
            {subscriptions.length > 1 ? (
              <Field name="subscriptionId" label="Subscription" error={err('subscriptionId')}>
                <select id="f-subscriptionId" name="subscriptionId" className="input">
                  {subscriptions.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.packageName}
                    </option>
                  ))}
                </select>
              </Field>
            ) : null}
            <div className="sm:col-span-2">
              <button type="submit" className="btn-primary">
                Create website
              </button>
            </div>
          </Form>
        </Card>
      ) : null}
    </>
  );
}
