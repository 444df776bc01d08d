/**
 * One website: where to visit it, its status (live while provisioning) and history, settings,
 * suspension, and deletion behind a confirmation step that works without JavaScript.
 */
import {
  Form,
  Link,
  redirect,
  useActionData,
  useLoaderData,
  useRouteLoaderData,
  useSearchParams,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { LiveRefresh } from '../components/live';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, Field, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';
import { flashCookie } from '../lib/flash';
import { SETTLING, WEBSITE_KINDS, type Me, type Website } from '../lib/types';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const site = must(request, await api.get<Website>(`/websites/${encodeURIComponent(params.id ?? '')}`));
  const server = await api.get<{ phpVersions: string[] }>('/websites/server');
  // The database made for this site (a WordPress site's), when the databases plugin is enabled:
  // the delete form offers to delete it too.
  const dbs = await api.get<{ items: Array<{ name: string; websiteId: string | null }> }>(
    `/databases?ownerId=${encodeURIComponent(site.ownerId)}&limit=100`,
  );
  const database = dbs.ok ? (dbs.data.items.find((d) => d.websiteId === site.id)?.name ?? null) : null;
  return { site, phpVersions: server.ok ? server.data.phpVersions : [], database };
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const id = encodeURIComponent(params.id ?? '');
  const intent = form.get('intent');
  if (intent === 'delete') {
    const site = await api.get<Website>(`/websites/${id}`);
    if (site.ok && text(form, 'confirm') !== site.data.domainDisplay && text(form, 'confirm') !== site.data.domain) {
      return {
        ok: false,
        errors: { message: 'Type the domain to confirm the deletion.', fields: { confirm: 'does not match the domain' } },
        intent: 'delete',
      };
    }
    const withDatabase = form.get('deleteDatabase') === 'true';
    const res = await api.delete<Website>(`/websites/${id}${withDatabase ? '?deleteDatabase=true' : ''}`);
    if (!res.ok) return failed(res, {}, 'delete');
    return redirect('/websites', {
      headers: {
        'set-cookie': flashCookie(request, { kind: 'success', message: `${res.data.domainDisplay} is being deleted.` }),
      },
    });
  }
  if (intent === 'suspend') {
    const res = await api.post(`/websites/${id}/suspend`, text(form, 'reason') ? { reason: text(form, 'reason') } : {});
    return res.ok ? done('Website suspended: visitors see a suspension page.') : failed(res, {}, 'suspend');
  }
  if (intent === 'unsuspend') {
    const res = await api.post(`/websites/${id}/unsuspend`, {});
    return res.ok ? done('Suspension lifted.') : failed(res);
  }
  const body: Record<string, unknown> = { aliases: (text(form, 'aliases') ?? '').split(/[\s,]+/).filter(Boolean) };
  const php = text(form, 'phpVersion');
  if (php) body.phpVersion = php;
  const res = await api.patch(`/websites/${id}`, body);
  return res.ok ? done('Settings saved; the server is being updated.') : failed(res, {}, 'settings');
}

export default function WebsiteDetail() {
  const { site, phpVersions, database } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const [searchParams] = useSearchParams();
  const confirming = searchParams.get('confirm') === 'delete' || (result && !result.ok && result.intent === 'delete');
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? result : undefined);
  const canWrite = me.permissions.includes('websites.site.write') && site.status !== 'deleting';
  const canSuspend = me.permissions.includes('websites.site.suspend') && site.ownerId !== me.user.id;
  const usesPhp = site.kind === 'php' || site.kind === 'wordpress';
  return (
    <>
      <PageHeader
        title={site.domainDisplay}
        description={`${site.kind === 'php' && site.phpVersion ? `PHP ${site.phpVersion}` : `${WEBSITE_KINDS[site.kind]}${site.phpVersion ? ` · PHP ${site.phpVersion}` : ''}`} · created ${formatDate(site.createdAt).slice(0, 10)}`}
        actions={
          <div className="flex gap-3">
            {site.status !== 'deleting' ? (
              <Link className="btn-secondary" to={`/websites/${site.id}/files`}>
                Files
              </Link>
            ) : null}
            {site.status === 'active' ? (
              // Until DNS points at the server, the preview address is the one that works.
              <a className="btn-primary" href={site.previewUrl ?? `http://${site.domain}/`} rel="noreferrer" target="_blank">
                Visit website
              </a>
            ) : null}
          </div>
        }
      />
      <ResultToast result={result} />
      <LiveRefresh active={SETTLING.has(site.status) || !site.converged} />
      <div className="mt-4 grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Status">
            <div className="flex flex-wrap items-center gap-3">
              <StatusBadge status={site.status} />
              {site.statusReason ? <span className="text-sm">{site.statusReason}</span> : null}
            </div>
            {site.status === 'suspended' && site.suspendedFor.length > 0 ? (
              <p className="muted mt-2 text-sm">Suspended because of: {site.suspendedFor.join(', ')}.</p>
            ) : null}
            <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="muted">Address</dt>
              <dd>
                <code className="font-mono">http://{site.domain}/</code>
              </dd>
              {site.previewUrl ? (
                <>
                  <dt className="muted">Preview</dt>
                  <dd>
                    <a className="link" href={site.previewUrl} rel="noreferrer" target="_blank">
                      {site.previewUrl}
                    </a>
                  </dd>
                </>
              ) : null}
              {site.aliases.length > 0 ? (
                <>
                  <dt className="muted">Other domains</dt>
                  <dd>{site.aliases.join(', ')}</dd>
                </>
              ) : null}
            </dl>
          </Card>
          {canWrite ? (
            <Card title="Settings">
              <Form method="post" className="grid gap-4 sm:grid-cols-2">
                <CsrfInput />
                <input type="hidden" name="intent" value="settings" />
                <Field
                  name="aliases"
                  label="Other domains"
                  hint="Comma-separated"
                  defaultValue={site.aliases.join(', ')}
                  error={fieldError(errorsFor('settings'), 'aliases')}
                />
                {usesPhp ? (
                  <Field name="phpVersion" label="PHP version" error={fieldError(errorsFor('settings'), 'phpVersion')}>
                    <select id="f-phpVersion" name="phpVersion" className="input" defaultValue={site.phpVersion ?? ''}>
                      {[...new Set([...(site.phpVersion ? [site.phpVersion] : []), ...phpVersions])].map((v) => (
                        <option key={v} value={v}>
                          PHP {v}
                        </option>
                      ))}
                    </select>
                  </Field>
                ) : null}
                <div className="sm:col-span-2">
                  <button type="submit" className="btn-primary">
                    Save settings
                  </button>
                </div>
              </Form>
            </Card>
          ) : null}
          {canSuspend && site.status !== 'deleting' ? (
            <Card title="Suspension">
              {site.suspendedFor.includes('admin') ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="unsuspend" />
                  <button type="submit" className="btn-secondary">
                    Lift suspension
                  </button>
                </Form>
              ) : (
                <Form method="post" className="flex flex-wrap items-end gap-3">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="suspend" />
                  <div className="min-w-56 flex-1">
                    <Field name="reason" label="Reason (optional)" error={fieldError(errorsFor('suspend'), 'reason')} />
                  </div>
                  <button type="submit" className="btn-secondary">
                    Suspend website
                  </button>
                </Form>
              )}
            </Card>
          ) : null}
          {canWrite ? (
            <Card title="Delete">
              {confirming ? (
                <Form method="post" className="space-y-3">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="delete" />
                  <Alert kind="warning">This removes the website and all its files. It cannot be undone.</Alert>
                  <Field
                    name="confirm"
                    label={`Type ${site.domainDisplay} to confirm`}
                    required
                    error={fieldError(errorsFor('delete'), 'confirm')}
                    autoFocus
                  />
                  {database ? (
                    <label className="flex items-center gap-2 text-sm">
                      <input type="checkbox" name="deleteDatabase" value="true" />
                      Also delete its database <code className="font-mono">{database}</code> with all its data
                    </label>
                  ) : null}
                  <div className="flex gap-3">
                    <button type="submit" className="btn-danger">
                      Delete website
                    </button>
                    <Link className="btn-secondary" to={`/websites/${site.id}`}>
                      Cancel
                    </Link>
                  </div>
                </Form>
              ) : (
                <Link className="btn-danger" to="?confirm=delete">
                  Delete website…
                </Link>
              )}
            </Card>
          ) : null}
        </div>
        <Card title="History">
          {site.history && site.history.length > 0 ? (
            <ol className="space-y-3 text-sm">
              {[...site.history].reverse().map((h, i) => (
                <li key={i}>
                  <div className="flex items-center gap-2">
                    <StatusBadge status={h.outcome} />
                    <span className="font-medium">{h.step}</span>
                  </div>
                  <p className="muted text-xs">
                    {formatDate(h.at)} — {h.message}
                  </p>
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted text-sm">Nothing yet.</p>
          )}
        </Card>
      </div>
    </>
  );
}
