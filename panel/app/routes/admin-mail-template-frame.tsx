/**
 * The HTML of a mail template's preview as a document of its own, for the preview's sandboxed
 * iframe. The panel's CSP (`style-src 'self'`) would block a mail's inline styles in a `srcdoc`
 * frame, which inherits it; this response carries a CSP of its own instead: inline styles and
 * data/https images only, no scripts, no requests, sandboxed, framed only by the panel.
 */
import type { LoaderFunctionArgs } from 'react-router';
import { Api, must } from '../lib/api.server';

export const MAIL_FRAME_POLICY = [
  "default-src 'none'",
  'img-src data: https:',
  "style-src 'unsafe-inline'",
  "frame-ancestors 'self'",
  'sandbox',
].join(';');

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const id = url.searchParams.get('id') ?? '';
  const issuer = url.searchParams.get('issuer') ?? 'platform';
  const preview = must(
    request,
    await new Api(request, context).get<{ html: string }>(
      `/mail-templates/${encodeURIComponent(id)}/preview?issuer=${encodeURIComponent(issuer)}`,
    ),
  );
  return new Response(preview.html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': MAIL_FRAME_POLICY,
      'x-frame-options': 'SAMEORIGIN',
      'cache-control': 'no-store',
    },
  });
}
