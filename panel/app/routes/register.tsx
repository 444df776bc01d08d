/** Create an account (when the auth plugin allows it); a verification mail follows. */
import { Form, Link, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { Alert, CsrfInput, Field } from '../components/ui';
import { Api, readForm } from '../lib/api.server';
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const options = await new Api(request, context).get<{ registration: boolean }>('/auth/options');
  return { open: options.ok && options.data.registration };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await readForm(request);
  const body: Record<string, string> = { email: text(form, 'email') ?? '', password: String(form.get('password') ?? '') };
  const name = text(form, 'name');
  if (name) body.name = name;
  const res = await new Api(request, context).post('/auth/register', body);
  if (!res.ok) return failed(res);
  return done('Check your inbox: we sent a link to confirm your address.');
}

export default function Register() {
  const { open } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (!open) {
    return (
      <>
        <title>Registration closed · Hostplane</title>
        <h1 className="text-2xl font-semibold tracking-tight">Accounts are created by your provider</h1>
        <p className="muted mt-2 text-sm">
          This platform does not take sign-ups. Ask your hosting provider for an account, then sign in.
        </p>
        <p className="mt-6 text-sm">
          <Link className="link" to="/login">
            Back to sign in
          </Link>
        </p>
      </>
    );
  }
  if (result?.ok) {
    return (
      <>
        <title>Check your inbox · Hostplane</title>
        <h1 className="text-2xl font-semibold tracking-tight">Check your inbox</h1>
        <p className="muted mt-2 text-sm">{result.message} The link is valid for 24 hours.</p>
        <p className="mt-6 text-sm">
          <Link className="link" to="/login">
            Back to sign in
          </Link>
        </p>
      </>
    );
  }
  return (
    <>
      <title>Create an account · Hostplane</title>
      <h1 className="text-2xl font-semibold tracking-tight">Create an account</h1>
      <Form method="post" className="mt-6 space-y-4">
        <CsrfInput />
        {result && !result.ok ? <Alert kind="error">{result.errors.message}</Alert> : null}
        <Field name="name" label="Name" autoComplete="name" error={fieldError(result, 'name')} />
        <Field name="email" label="Email" type="email" autoComplete="email" required error={fieldError(result, 'email')} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters; not a common password."
          error={fieldError(result, 'password')}
        />
        <button type="submit" className="btn-primary w-full">
          Create account
        </button>
      </Form>
      <p className="mt-4 text-sm">
        Already have an account?{' '}
        <Link className="link" to="/login">
          Sign in
        </Link>
      </p>
    </>
  );
}
