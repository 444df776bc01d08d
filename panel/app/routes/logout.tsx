import { redirect, type ActionFunctionArgs } from 'react-router';
import { Api, impersonationOf, passCookies, readForm } from '../lib/api.server';
import { clearCookie, IMPERSONATION_COOKIE } from '../lib/cookies';
import { flashCookie } from '../lib/flash';

/** Sign out: ends the API session (and an impersonation session, if one is running). */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const headers = new Headers();
  if (impersonationOf(request)) {
    await new Api(request, context).post('/auth/logout');
    headers.append('set-cookie', clearCookie(request, IMPERSONATION_COOKIE));
  }
  const csrf = form.get('_csrf');
  const res = await new Api(request, context, { csrf: typeof csrf === 'string' ? csrf : null, asRealUser: true }).post(
    '/auth/logout',
  );
  passCookies(res, headers);
  headers.append('set-cookie', flashCookie(request, { kind: 'success', message: 'Signed out.' }));
  return redirect('/login', { headers });
}

export function loader() {
  return redirect('/');
}
