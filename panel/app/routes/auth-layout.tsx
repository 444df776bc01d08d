/** The frame of the signed-out pages: a centred card. */
import { data, Outlet, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { ThemeSwitch } from '../components/theme-switch';
import { Toasts } from '../components/toasts';
import { takeFlash } from '../lib/flash';

export function loader({ request }: LoaderFunctionArgs) {
  const { flash, clear } = takeFlash(request);
  return data({ flash }, clear ? { headers: { 'set-cookie': clear } } : undefined);
}

export function headers({ loaderHeaders }: { loaderHeaders: Headers }) {
  return loaderHeaders;
}

export default function AuthLayout() {
  const { flash } = useLoaderData<typeof loader>();
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex items-center justify-between px-4 py-3">
        <a href="/login" className="flex items-center gap-2 font-semibold">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Hostplane</span>
        </a>
        <ThemeSwitch />
      </header>
      <main id="content" className="flex flex-1 items-start justify-center px-4 pt-8 pb-16 sm:pt-16">
        <div className="card w-full max-w-md p-6 sm:p-8">
          <Outlet />
        </div>
      </main>
      <Toasts items={flash ? [flash] : []} />
    </div>
  );
}
