/** Profile (name) and password change. */
import { Form, useActionData, useRouteLoaderData, type ActionFunctionArgs } from 'react-router';
import { AccountTabs } from '../components/account-tabs';
import { ResultToast } from '../components/toasts';
import { Card, CsrfInput, Field, PageHeader, StatusBadge, formatDate } from '../components/ui';
import { apiForForm, readForm, requireUser } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';
import type { Me } from '../lib/types';

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  if (form.get('intent') === 'password') {
    const res = await api.post('/auth/change-password', {
      currentPassword: String(form.get('currentPassword') ?? ''),
      newPassword: String(form.get('newPassword') ?? ''),
    });
    if (!res.ok) return failed(res, { password: 'newPassword' }, 'password');
    return done('Password changed. Your other sessions were signed out.');
  }
  const me = await requireUser(request, context);
  const res = await api.patch(`/users/${me.user.id}`, { name: text(form, 'name') ?? '' });
  if (!res.ok) return failed(res, {}, 'profile');
  return done('Profile saved.');
}

export default function Account() {
  const layout = useRouteLoaderData('routes/app-layout') as { me: Me };
  const me = layout.me;
  const result = useActionData<typeof action>();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? result : undefined);
  return (
    <>
      <PageHeader title="Account" description="Your profile, password and security settings." />
      <AccountTabs />
      <ResultToast result={result} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Profile">
          <dl className="mb-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="muted">Email</dt>
            <dd>{me.user.email}</dd>
            <dt className="muted">Role</dt>
            <dd>{me.user.role.replace('_', ' ')}</dd>
            <dt className="muted">Status</dt>
            <dd>
              <StatusBadge status={me.user.status} />
            </dd>
            <dt className="muted">Member since</dt>
            <dd>{formatDate(me.user.createdAt).slice(0, 10)}</dd>
          </dl>
          <Form method="post" className="space-y-4">
            <CsrfInput />
            <input type="hidden" name="intent" value="profile" />
            <Field
              name="name"
              label="Name"
              autoComplete="name"
              defaultValue={me.user.name}
              error={fieldError(errorsFor('profile'), 'name')}
            />
            <button type="submit" className="btn-primary">
              Save profile
            </button>
          </Form>
        </Card>
        <Card title="Password">
          <Form method="post" className="space-y-4">
            <CsrfInput />
            <input type="hidden" name="intent" value="password" />
            <Field
              name="currentPassword"
              label="Current password"
              type="password"
              autoComplete="current-password"
              required
              error={fieldError(errorsFor('password'), 'currentPassword')}
            />
            <Field
              name="newPassword"
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              hint="At least 12 characters; not a common password."
              error={fieldError(errorsFor('password'), 'newPassword')}
            />
            <button type="submit" className="btn-primary">
              Change password
            </button>
          </Form>
        </Card>
      </div>
    </>
  );
}
