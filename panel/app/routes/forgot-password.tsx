import { Form, Link, useActionData, type ActionFunctionArgs } from 'react-router';
import { Alert, CsrfInput, Field } from '../components/ui';
import { Api, readForm } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const res = await new Api(request, context).post('/auth/forgot-password', { email: text(form, 'email') ?? '' });
  if (!res.ok) return failed(res);
  // The API answers the same for unknown addresses: so do we.
  return done('If that address has an account, a reset link is on its way. It works for 30 minutes.');
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  return (
    <>
      <title>Reset your password · Hostplane</title>
      <h1 className="text-2xl font-semibold tracking-tight">Reset your password</h1>
      <p className="muted mt-1 text-sm">We will mail you a link to choose a new one.</p>
      <Form method="post" className="mt-6 space-y-4">
        <CsrfInput />
        {result?.ok ? <Alert kind="success">{result.message}</Alert> : null}
        {result && !result.ok ? <Alert kind="error">{result.errors.message}</Alert> : null}
        <Field name="email" label="Email" type="email" autoComplete="email" required error={fieldError(result, 'email')} />
        <button type="submit" className="btn-primary w-full">
          Send the link
        </button>
      </Form>
      <p className="mt-4 text-sm">
        <Link className="link" to="/login">
          Back to sign in
        </Link>
      </p>
    </>
  );
}
