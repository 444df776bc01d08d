import { redirect, type ActionFunctionArgs } from 'react-router';
import { readForm } from '../lib/api.server';
import { setCookie, THEME_COOKIE } from '../lib/cookies';

/** Remember the theme choice (not a secret, not an account setting: one cookie per browser). */
export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const theme = form.get('theme');
  const next = form.get('next');
  const target = typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  const value = theme === 'light' || theme === 'dark' ? theme : '';
  return redirect(target, {
    headers: {
      'set-cookie': setCookie(request, THEME_COOKIE, value, { maxAge: value ? 60 * 60 * 24 * 365 : 0, httpOnly: false }),
    },
  });
}

export function loader() {
  return redirect('/');
}
