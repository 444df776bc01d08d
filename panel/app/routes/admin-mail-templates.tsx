/**
 * Mail templates of the started plugins, and one previewed with its sample for the platform or a
 * reseller. The HTML is shown in a sandboxed iframe (no scripts, no same origin; served with its
 * own CSP by admin-mail-template-frame.tsx) and as source.
 */
import { Form, Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { DataTable } from '../components/data-table';
import { Alert, Card, PageHeader } from '../components/ui';
import { Api, must } from '../lib/api.server';
import type { List } from '../lib/types';

interface Template {
  id: string;
  pluginId: string;
  description: string;
}

interface Preview {
  id: string;
  subject: string;
  text: string;
  html: string;
  brand: { issuer: string; name: string; replyTo: string | null };
}

interface Reseller {
  id: string;
  name: string;
  email: string;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const url = new URL(request.url);
  const { items } = must(request, await api.get<List<Template>>('/mail-templates'));
  // Resellers by name for the issuer picker; without the accounts plugin only the platform.
  const resellers = await api.get<List<Reseller>>('/users?role=reseller&limit=100');
  const issuers = [{ id: 'platform', name: 'The platform' }, ...(resellers.ok ? resellers.data.items : [])];
  const id = url.searchParams.get('id') ?? items[0]?.id ?? '';
  const issuer = url.searchParams.get('issuer') ?? 'platform';
  if (!id) return { items, issuers, id, issuer, preview: null, error: null };
  const res = await api.get<Preview>(`/mail-templates/${encodeURIComponent(id)}/preview?issuer=${encodeURIComponent(issuer)}`);
  return { items, issuers, id, issuer, preview: res.ok ? res.data : null, error: res.ok ? null : res.error.message };
}

export default function MailTemplates() {
  const { items, issuers, id, issuer, preview, error } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Mail templates"
        description="Every mail the platform's plugins send, previewed with sample data in the sender's branding."
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <DataTable
          caption="Mail templates"
          rows={items}
          rowKey={(m) => m.id}
          empty="No started plugin declares mail templates."
          columns={[
            {
              label: 'Template',
              render: (m) => (
                <Link
                  to={`?id=${encodeURIComponent(m.id)}&issuer=${encodeURIComponent(issuer)}`}
                  className="link"
                  aria-current={m.id === id ? 'page' : undefined}
                >
                  <code className="font-mono text-xs">{m.id}</code>
                </Link>
              ),
            },
            { label: 'When', render: (m) => m.description },
          ]}
        />
        <Card title={id ? `Preview: ${id}` : 'Preview'}>
          <Form method="get" className="mb-4 flex flex-wrap items-end gap-3">
            <input type="hidden" name="id" value={id} />
            <label className="text-sm">
              <span className="mb-1 block font-medium">Sent by</span>
              <select name="issuer" defaultValue={issuer} className="input">
                {issuers.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name || i.id}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="btn-secondary">
              Show
            </button>
          </Form>
          {error ? <Alert kind="error">{error}</Alert> : null}
          {preview ? (
            <div className="space-y-4">
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="font-medium">From</dt>
                <dd data-testid="mail-from">{preview.brand.name}</dd>
                <dt className="font-medium">Subject</dt>
                <dd data-testid="mail-subject">{preview.subject}</dd>
              </dl>
              {/* sandbox="": no scripts, no forms, no same-origin access; the document carries its own CSP (frame route). */}
              <iframe
                title={`HTML of ${preview.id}`}
                sandbox=""
                src={`/admin/mail-templates/frame?id=${encodeURIComponent(preview.id)}&issuer=${encodeURIComponent(issuer)}`}
                className="h-[32rem] w-full rounded border border-slate-200 bg-white dark:border-slate-800"
              />
              <details>
                <summary className="cursor-pointer text-sm font-medium">Text version</summary>
                <pre data-testid="mail-text" className="mt-2 overflow-x-auto whitespace-pre-wrap text-xs">
                  {preview.text}
                </pre>
              </details>
              <details>
                <summary className="cursor-pointer text-sm font-medium">HTML source</summary>
                <pre className="mt-2 max-h-96 overflow-auto whitespace-pre-wrap break-all text-xs">{preview.html}</pre>
              </details>
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}
