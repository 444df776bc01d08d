import {
  Form,
  Link,
  redirect,
  useActionData,
  useLoaderData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { Alert, CsrfInput, Field } from '../components/ui';
import { Api, readForm } from '../lib/api.server';
import { failed, fieldError, type ActionResult } from '../lib/action';
import { flashCookie } from '../lib/flash';

export function loader({ request }: LoaderFunctionArgs) {
  return { token: new URL(request.url).searchParams.get('token') ?? '' };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const form = await readForm(request);
  const res = await new Api(request, context).post('/auth/reset-password', {
    token: String(form.get('token') ?? ''),
    password: String(form.get('password') ?? ''),
  });
  if (!res.ok) return failed(res);
  return redirect('/login', {
    headers: { 'set-cookie': flashCookie(request, { kind: 'success', message: 'Password changed. Sign in with the new one.' }) },
  });
}

export default function ResetPassword() {
  const { token } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return (
    <>
      <title>Choose a new password · Hostplane</title>
      <h1 className="text-2xl font-semibold tracking-tight">Choose a new password</h1>
      {token === '' ? (
        <div className="mt-6">
          <Alert kind="error">This link is incomplete. Ask for a new one.</Alert>
        </div>
      ) : (
        <Form method="post" className="mt-6 space-y-4">
          <CsrfInput />
          {result && !result.ok ? <Alert kind="error">{result.errors.message}</Alert> : null}
          <input type="hidden" name="token" value={token} />
          <Field
            name="password"
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            hint="At least 12 characters. Every session is signed out."
            error={fieldError(result, 'password')}
          />
          <button type="submit" className="btn-primary w-full">
            Change password
          </button>
        </Form>
      )}
      <p className="mt-4 text-sm">
        <Link className="link" to="/forgot-password">
          Ask for a new link
        </Link>
      </p>
    </>
  );
}
