/** Light / dark / system, as a form: works without JavaScript (the choice lives in a cookie). */
import { Form, useLocation, useRouteLoaderData } from 'react-router';
import { CsrfInput } from './ui';

const NEXT: Record<string, { value: string; label: string }> = {
  system: { value: 'dark', label: 'Theme: system (switch to dark)' },
  dark: { value: 'light', label: 'Theme: dark (switch to light)' },
  light: { value: 'system', label: 'Theme: light (follow the system)' },
};

export function ThemeSwitch() {
  const data = useRouteLoaderData<{ theme: string }>('root');
  const location = useLocation();
  const current = data?.theme ?? 'system';
  const next = NEXT[current] ?? NEXT.system!;
  return (
    <Form method="post" action="/theme">
      <CsrfInput />
      <input type="hidden" name="theme" value={next.value} />
      <input type="hidden" name="next" value={location.pathname + location.search} />
      <button type="submit" className="btn-secondary px-2.5" aria-label={next.label} title={next.label}>
        <span aria-hidden="true">{current === 'dark' ? '☾' : current === 'light' ? '☀' : '◐'}</span>
      </button>
    </Form>
  );
}
