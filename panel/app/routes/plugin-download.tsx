/**
 * A download a plugin page declares (sdk/src/panel.ts `PanelDownload`): the panel reads the
 * file route with the caller's own session and passes its bytes, type and file name on. It
 * reads the section's resource first and serves only what the page would show a link for (the
 * caller's permission, the resource's state); the file route still decides on its own.
 */
import type { LoaderFunctionArgs } from 'react-router';
import { Api, requireUser } from '../lib/api.server';
import { offered } from '../lib/conditions';
import { fillPath, safeRoute, valueAt } from '../lib/placeholders';
import { findPage, pageVars } from '../lib/plugin-pages.server';

const PASSED = ['content-type', 'content-disposition', 'content-length', 'etag', 'last-modified'];

function refuse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const api = new Api(request, context, { signInOn401: true });
  const [page, me] = await Promise.all([
    findPage(api, request, params.pluginId ?? '', params.pageId ?? ''),
    requireUser(request, context),
  ]);
  const search = new URL(request.url).searchParams;
  const vars = pageVars(page, search, search.get('_key') ?? undefined, me.user.id);
  const section = page.sections[Number(search.get('_s'))];
  const download = section?.kind === 'detail' ? section.downloads?.[Number(search.get('_d'))] : undefined;
  if (!section || section.kind !== 'detail' || !download) return refuse(404, 'No such download.');
  const source = safeRoute(fillPath(section.source, (n) => vars[n]));
  const resource = source ? await api.get<unknown>(source) : null;
  if (!resource || !resource.ok) return refuse(404, 'Not found.');
  if (!offered(download, resource.data, me.permissions)) return refuse(404, 'Not found.');
  const route = safeRoute(fillPath(download.route, (n) => valueAt(resource.data, n) ?? vars[n]));
  if (!route) return refuse(404, 'Not found.');
  const file = await api.file(route);
  // 5xx from the API stays a 5xx (the PDF renderer unavailable: 503); its words, not its JSON.
  if (!file.ok) return refuse(file.status, file.error.message);
  const headers = new Headers({ 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
  for (const name of PASSED) {
    const value = file.headers.get(name);
    if (value && !/[\r\n]/.test(value)) headers.set(name, value);
  }
  // A file is always saved, never shown inline as a page of the panel's origin.
  if (!headers.get('content-disposition')?.startsWith('attachment')) headers.set('content-disposition', 'attachment');
  return new Response(new Uint8Array(file.data), { status: 200, headers });
}
