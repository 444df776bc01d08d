/**
 * The file manager of a website: browse folders (breadcrumbs), upload, new folder, edit a text
 * file, rename, move, copy, change modes, delete after a confirmation, zip and unzip. Every form
 * is a plain HTML form (no JavaScript needed); everything goes through `/v1/websites/:id/files`,
 * which does the work as the site's user and refuses paths that leave the site.
 */
import {
  Form,
  Link,
  redirect,
  useActionData,
  useLoaderData,
  useRouteLoaderData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { FileListing, FormError, SelectedEntry } from '../components/file-manager';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, Field, PageHeader } from '../components/ui';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { flashCookie } from '../lib/flash';
import { crumbsOf, filesUrl, joinPath, parentOf, type FileEntry } from '../lib/site-files';
import type { Me, Website } from '../lib/types';

const files = (id: string, path: string, sub = '') =>
  `/websites/${encodeURIComponent(id)}/files${sub}?path=${encodeURIComponent(path)}`;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context);
  const url = new URL(request.url);
  const folder = url.searchParams.get('path') ?? '';
  const item = url.searchParams.get('item');
  const site = must(request, await api.get<Website>(`/websites/${encodeURIComponent(params.id ?? '')}`));
  const listing = await api.get<{ entries: FileEntry[] }>(files(site.id, folder));
  const selected = item ? (listing.ok ? listing.data.entries.find((e) => e.name === item) : undefined) : undefined;
  let editing: { content: string } | { error: string } | null = null;
  if (selected?.type === 'file' && url.searchParams.get('edit') === '1') {
    const read = await api.get<{ encoding: string; content: string }>(
      files(site.id, joinPath(folder, selected.name), '/content'),
    );
    if (!read.ok) editing = { error: read.error.message };
    else if (read.data.encoding !== 'utf8') editing = { error: 'This file is not text; download or replace it instead.' };
    else editing = { content: read.data.content };
  }
  return {
    site,
    folder,
    entries: listing.ok ? listing.data.entries : [],
    listingError: listing.ok ? null : listing.error.message,
    selected: selected ?? null,
    confirmDelete: url.searchParams.get('confirm') === 'delete',
    editing,
  };
}

/** After a change, back to the folder with a message (a reload does not send the form again). */
function back(request: Request, siteId: string, folder: string, message: string, params: Record<string, string> = {}) {
  return redirect(filesUrl(siteId, folder, params), {
    headers: { 'set-cookie': flashCookie(request, { kind: 'success', message }) },
  });
}

export async function action({ request, context, params }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const id = params.id ?? '';
  const folder = typeof form.get('folder') === 'string' ? (form.get('folder') as string) : '';
  const name = text(form, 'name') ?? '';
  const path = joinPath(folder, name);
  const intent = String(form.get('intent') ?? '');
  switch (intent) {
    case 'upload': {
      const file = form.get('file');
      if (!(file instanceof File) || file.name === '') {
        return { ok: false, intent, errors: { message: 'Choose a file to upload.', fields: { file: 'choose a file' } } };
      }
      const bytes = Buffer.from(await file.arrayBuffer());
      const target = joinPath(folder, file.name);
      const res = await api.put(files(id, target, '/content'), { content: bytes.toString('base64'), encoding: 'base64' });
      return res.ok ? back(request, id, folder, `${file.name} uploaded.`) : failed(res, { content: 'file' }, intent);
    }
    case 'mkdir': {
      const res = await api.post(files(id, joinPath(folder, text(form, 'newName') ?? '')), { action: 'mkdir' });
      return res.ok ? back(request, id, folder, 'Folder made.') : failed(res, { path: 'newName' }, intent);
    }
    case 'save': {
      const content = form.get('content');
      const res = await api.put(files(id, path, '/content'), {
        content: typeof content === 'string' ? content : '',
        encoding: 'utf8',
      });
      return res.ok ? back(request, id, folder, `${name} saved.`, { item: name }) : failed(res, {}, intent);
    }
    case 'rename':
    case 'copy': {
      const to = text(form, 'to') ?? '';
      const res = await api.post(files(id, path), { action: intent, to });
      if (!res.ok) return failed(res, { path: 'to' }, intent);
      return back(request, id, parentOf(to), intent === 'copy' ? `Copied to ${to}.` : `Moved to ${to}.`);
    }
    case 'chmod': {
      const res = await api.post(files(id, path), { action: 'chmod', mode: text(form, 'mode') ?? '' });
      return res.ok ? back(request, id, folder, `Mode of ${name} changed.`, { item: name }) : failed(res, {}, intent);
    }
    case 'delete': {
      if (text(form, 'confirm') !== name) {
        return {
          ok: false,
          intent,
          errors: { message: `Type ${name} to confirm.`, fields: { confirm: 'does not match the name' } },
        };
      }
      const res = await api.delete(files(id, path));
      return res.ok ? back(request, id, folder, `${name} deleted.`) : failed(res, {}, intent);
    }
    case 'zip': {
      const names = form.getAll('names').filter((n): n is string => typeof n === 'string' && n !== '');
      if (names.length === 0) return { ok: false, intent, errors: { message: 'Tick the files and folders to zip.', fields: {} } };
      const to = joinPath(folder, text(form, 'archive') ?? '');
      const res = await api.post(files(id, folder), { action: 'zip', names, to });
      return res.ok ? back(request, id, folder, `${names.length} zipped into ${to}.`) : failed(res, { to: 'archive' }, intent);
    }
    case 'unzip': {
      const to = text(form, 'to') ?? '';
      const res = await api.post<{ entries: number }>(files(id, path), { action: 'unzip', to });
      return res.ok ? back(request, id, to, `${res.data.entries} files and folders extracted.`) : failed(res, {}, intent);
    }
    default:
      return done('Nothing to do.');
  }
}

export default function WebsiteFiles() {
  const { site, folder, entries, listingError, selected, confirmDelete, editing } = useLoaderData<typeof loader>();
  const { me } = useRouteLoaderData('routes/app-layout') as { me: Me };
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const canWrite = me.permissions.includes('websites.site.write') && site.status !== 'deleting';
  const errorOf = (intent: string) => (result && !result.ok && result.intent === intent ? result : undefined);
  const crumbs = crumbsOf(folder);
  return (
    <>
      <PageHeader
        title={`Files of ${site.domainDisplay}`}
        description={
          <Link className="link" to={`/websites/${site.id}`}>
            Back to the website
          </Link>
        }
      />
      <ResultToast result={result} />
      <nav aria-label="Breadcrumbs" className="mt-2 text-sm">
        <ol className="flex flex-wrap gap-1">
          {crumbs.map((c, i) => (
            <li key={c.path || 'root'}>
              {i > 0 ? <span className="muted mr-1">/</span> : null}
              {i === crumbs.length - 1 ? (
                <span aria-current="page" className="font-medium">
                  {c.name}
                </span>
              ) : (
                <Link className="link" to={filesUrl(site.id, c.path)}>
                  {c.name}
                </Link>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <div className="mt-4 grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {listingError ? <Alert kind="error">{listingError}</Alert> : null}
          <FileListing siteId={site.id} folder={folder} entries={entries} canWrite={canWrite} error={errorOf('zip')} />
        </div>
        <div className="space-y-6">
          {selected ? (
            <SelectedEntry
              siteId={site.id}
              folder={folder}
              entry={selected}
              canWrite={canWrite}
              confirmDelete={confirmDelete}
              editing={editing}
              errorOf={errorOf}
            />
          ) : null}
          {canWrite ? (
            <>
              <Card title="Upload">
                <Form method="post" encType="multipart/form-data" action={filesUrl(site.id, folder)} className="space-y-3">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="upload" />
                  <input type="hidden" name="folder" value={folder} />
                  <Field
                    name="file"
                    label="File"
                    type="file"
                    required
                    hint="Within your package’s upload limit, at most 48 MB here; larger files over SFTP"
                    error={fieldError(errorOf('upload'), 'file')}
                  />
                  <FormError result={errorOf('upload')} />
                  <button type="submit" className="btn-primary">
                    Upload
                  </button>
                </Form>
              </Card>
              <Card title="New folder">
                <Form method="post" action={filesUrl(site.id, folder)} className="space-y-3">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="mkdir" />
                  <input type="hidden" name="folder" value={folder} />
                  <Field name="newName" label="Folder name" required error={fieldError(errorOf('mkdir'), 'newName')} />
                  <FormError result={errorOf('mkdir')} />
                  <button type="submit" className="btn-secondary">
                    Make folder
                  </button>
                </Form>
              </Card>
            </>
          ) : null}
        </div>
      </div>
    </>
  );
}
