/** The signed-in frame: navigation, impersonation banner, toasts. Every page below needs a user. */
import {
  data,
  Form,
  isRouteErrorResponse,
  NavLink,
  Outlet,
  useLoaderData,
  useRouteLoaderData,
  useLocation,
  type LoaderFunctionArgs,
} from 'react-router';
import { Toasts } from '../components/toasts';
import { CsrfInput, EmptyState, PageHeader } from '../components/ui';
import { ThemeSwitch } from '../components/theme-switch';
import { Api, requireUser } from '../lib/api.server';
import { takeFlash, type Flash } from '../lib/flash';
import { buildNav } from '../lib/nav';
import type { List, Me, PanelPage } from '../lib/types';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [me, pages] = await Promise.all([
    requireUser(request, context),
    new Api(request, context).get<List<PanelPage>>('/panel/pages'),
  ]);
  // While impersonating, calls carry a Bearer token; forms still echo the real session's CSRF
  // token, needed to end the impersonation or sign out.
  const real = me.impersonation ? await new Api(request, context, { asRealUser: true }).get<Me>('/auth/me') : null;
  const { flash, clear } = takeFlash(request);
  return data(
    {
      me,
      csrf: real?.ok ? real.data.csrfToken : me.csrfToken,
      realEmail: real?.ok ? real.data.user.email : null,
      pages: pages.ok ? pages.data.items : [],
      nav: buildNav(me, pages.ok ? pages.data.items : []),
      flash,
    },
    clear ? { headers: { 'set-cookie': clear } } : undefined,
  );
}

export function headers({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) {
  const out = new Headers();
  for (const cookie of [...loaderHeaders.getSetCookie(), ...actionHeaders.getSetCookie()]) out.append('set-cookie', cookie);
  return out;
}

function ImpersonationBanner({ name, email, realEmail }: { name: string; email: string; realEmail: string | null }) {
  return (
    <div className="bg-amber-400 text-slate-950" role="region" aria-label="Impersonation">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm">
        <p>
          {realEmail ? `${realEmail}, you` : 'You'} are acting as <strong>{name || email}</strong> ({email}). Everything you do is
          recorded under both names.
        </p>
        <Form method="post" action="/impersonate">
          <CsrfInput />
          <input type="hidden" name="intent" value="stop" />
          <button
            type="submit"
            className="rounded-md bg-slate-950 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-800"
          >
            Return to my account
          </button>
        </Form>
      </div>
    </div>
  );
}

function Navigation({ sections }: { sections: ReturnType<typeof buildNav> }) {
  return (
    <nav aria-label="Main" className="space-y-6">
      {sections.map((section) => (
        <div key={section.title}>
          <h2 className="px-3 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400">
            {section.title}
          </h2>
          <ul className="mt-2 space-y-0.5">
            {section.items.map((item) => (
              <li key={item.to}>
                <NavLink
                  to={item.to}
                  end={item.to === '/'}
                  className={({ isActive }) =>
                    `block rounded-md px-3 py-2 text-sm font-medium ${
                      isActive
                        ? 'bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200'
                        : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
                    }`
                  }
                >
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

type LayoutData = Awaited<ReturnType<typeof loader>>['data'];

export default function AppLayout() {
  return (
    <Shell data={useLoaderData<typeof loader>()}>
      <Outlet />
    </Shell>
  );
}

/** A page that failed (403, 404, an API error) keeps the navigation around its message. */
export function ErrorBoundary({ error }: { error: unknown }) {
  const data = useRouteLoaderData('routes/app-layout') as LayoutData | undefined;
  const [title, detail] = describeError(error);
  const content = (
    <>
      <PageHeader title={title} />
      <EmptyState title={detail}>
        <a className="link" href="/">
          Back to the dashboard
        </a>
      </EmptyState>
    </>
  );
  if (!data) return <main className="mx-auto max-w-lg p-6">{content}</main>;
  return <Shell data={data}>{content}</Shell>;
}

function describeError(error: unknown): [string, string] {
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) return ['Page not found', 'There is nothing at this address.'];
    if (error.status === 403) return ['Not allowed', 'Your account may not see this page.'];
    const apiError = error.data && typeof error.data === 'string' ? safeMessage(error.data) : null;
    return [`Error ${error.status}`, apiError ?? 'The request could not be completed.'];
  }
  return ['Something went wrong', 'The panel could not show this page. Try again in a moment.'];
}

function safeMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

function Shell({ data, children }: { data: LayoutData; children: React.ReactNode }) {
  const { me, nav, flash } = data;
  const location = useLocation();
  const toasts: Flash[] = flash ? [flash] : [];
  return (
    <div className="min-h-screen">
      <a
        href="#content"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      {me.impersonation ? <ImpersonationBanner name={me.user.name} email={me.user.email} realEmail={data.realEmail} /> : null}
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-4 py-3">
          <a href="/" className="flex items-center gap-2 font-semibold">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <span>Hostplane</span>
          </a>
          <div className="flex items-center gap-3">
            <ThemeSwitch />
            <span className="muted hidden text-sm sm:inline" data-testid="whoami">
              {me.user.email}
            </span>
            <Form method="post" action="/logout">
              <CsrfInput />
              <button type="submit" className="btn-secondary">
                Sign out
              </button>
            </Form>
          </div>
        </div>
      </header>
      <div className="mx-auto flex max-w-7xl flex-col gap-6 px-4 py-6 md:flex-row">
        <aside className="md:w-56 md:shrink-0">
          <details className="md:hidden" key={location.pathname}>
            <summary className="btn-secondary w-full cursor-pointer list-none">Menu</summary>
            <div className="mt-3">
              <Navigation sections={nav} />
            </div>
          </details>
          <div className="hidden md:block">
            <Navigation sections={nav} />
          </div>
        </aside>
        <main id="content" className="min-w-0 flex-1" tabIndex={-1}>
          {children}
        </main>
      </div>
      <Toasts items={toasts} />
    </div>
  );
}
