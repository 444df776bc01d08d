/** Start or end acting as a user below me (tokens in the panel's Strict cookie, decision 0008). */
import { redirect, type ActionFunctionArgs } from 'react-router';
import { Api, apiForForm, impersonationCookie, impersonationOf, readForm, type ImpersonationTokens } from '../lib/api.server';
import { clearCookie, IMPERSONATION_COOKIE } from '../lib/cookies';
import { flashCookie } from '../lib/flash';

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const headers = new Headers();
  if (form.get('intent') === 'stop') {
    if (impersonationOf(request)) await new Api(request, context).post('/auth/logout');
    headers.append('set-cookie', clearCookie(request, IMPERSONATION_COOKIE));
    headers.append('set-cookie', flashCookie(request, { kind: 'success', message: 'Back to your own account.' }));
    return redirect('/users', { headers });
  }
  if (impersonationOf(request)) {
    headers.append('set-cookie', flashCookie(request, { kind: 'error', message: 'Return to your own account first.' }));
    return redirect('/', { headers });
  }
  const api = apiForForm(request, context, form);
  const res = await api.post<ImpersonationTokens>('/auth/impersonate', { userId: String(form.get('userId') ?? '') });
  if (!res.ok) {
    headers.append('set-cookie', flashCookie(request, { kind: 'error', message: res.error.message }));
    return redirect('/users', { headers });
  }
  headers.append(
    'set-cookie',
    impersonationCookie(request, { accessToken: res.data.accessToken, refreshToken: res.data.refreshToken }),
  );
  headers.append('set-cookie', flashCookie(request, { kind: 'success', message: 'You are now acting as this user.' }));
  return redirect('/', { headers });
}

export function loader() {
  return redirect('/');
}
