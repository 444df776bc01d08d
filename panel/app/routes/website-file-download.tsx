/**
 * Download one file of a website (the file manager's "Download"): the bytes the files API reads
 * as the site's user (5 MB at most), always as an attachment of unknown type, so a page from the
 * site is never rendered on the panel's origin.
 */
import type { LoaderFunctionArgs } from 'react-router';
import { Api, must } from '../lib/api.server';

interface Content {
  encoding: 'utf8' | 'base64';
  content: string;
  entry: { name: string };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const path = new URL(request.url).searchParams.get('path') ?? '';
  const api = new Api(request, context);
  const file = must(
    request,
    await api.get<Content>(`/websites/${encodeURIComponent(params.id ?? '')}/files/content?path=${encodeURIComponent(path)}`),
  );
  const bytes = Buffer.from(file.content, file.encoding);
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.entry.name)}`,
      'content-length': String(bytes.length),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
  });
}
