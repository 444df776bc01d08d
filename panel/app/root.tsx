import {
  data,
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
  type LoaderFunctionArgs,
} from 'react-router';
import './app.css';
import { cookiesOf, THEME_COOKIE } from './lib/cookies';
import { formTokenFor } from './lib/form-token.server';
import { useNonce } from './lib/nonce';

export type Theme = 'light' | 'dark' | 'system';

export function loader({ request }: LoaderFunctionArgs) {
  const stored = cookiesOf(request)[THEME_COOKIE];
  const theme: Theme = stored === 'light' || stored === 'dark' ? stored : 'system';
  // Every page may hold a form; each form echoes this token (CsrfInput).
  const form = formTokenFor(request);
  return data({ theme, formToken: form.token }, form.setCookie ? { headers: { 'set-cookie': form.setCookie } } : undefined);
}

export function links() {
  return [{ rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }];
}

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>('root');
  return (
    <html lang="en" data-theme={data?.theme ?? 'system'}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary({ error }: { error: unknown }) {
  let title = 'Something went wrong';
  let detail = 'The panel could not show this page. Try again, or go back to the dashboard.';
  if (isRouteErrorResponse(error)) {
    title = error.status === 404 ? 'Page not found' : error.status === 403 ? 'Not allowed' : `Error ${error.status}`;
    if (error.status === 404) detail = 'There is nothing at this address.';
    else if (error.status === 403) detail = 'Your account may not see this page.';
    else if (typeof error.data === 'string' && error.data) detail = error.data;
  }
  return (
    <main className="mx-auto flex min-h-screen max-w-lg flex-col justify-center gap-4 p-6">
      <title>{`${title} · Hostplane`}</title>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="muted">{detail}</p>
      <p>
        <a className="link" href="/">
          Back to the dashboard
        </a>
      </p>
    </main>
  );
}
