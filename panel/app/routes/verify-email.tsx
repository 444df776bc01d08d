/**
 * The link in the verification mail lands here. Confirming takes a click (a POST): mail
 * scanners that follow links must not confirm addresses by themselves.
 */
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
import { done, failed, fieldError, text, type ActionResult } from '../lib/action';

export function loader({ request }: LoaderFunctionArgs) {
  return { token: new URL(request.url).searchParams.get('token') ?? '' };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const form = await readForm(request);
  const api = new Api(request, context);
  if (form.get('intent') === 'resend') {
    const res = await api.post('/auth/verify-email/resend', { email: text(form, 'email') ?? '' });
    return res.ok ? done('If that address waits for confirmation, a new link is on its way.') : failed(res);
  }
  const res = await api.post('/auth/verify-email', { token: String(form.get('token') ?? '') });
  if (!res.ok) return failed(res);
  return redirect('/login?verified=1');
}

export default function VerifyEmail() {
  const { token } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return (
    <>
      <title>Confirm your address · Hostplane</title>
      <h1 className="text-2xl font-semibold tracking-tight">Confirm your address</h1>
      <div className="mt-6 space-y-4">
        {result?.ok ? <Alert kind="success">{result.message}</Alert> : null}
        {result && !result.ok ? <Alert kind="error">{result.errors.message}</Alert> : null}
        {token ? (
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="token" value={token} />
            <button type="submit" className="btn-primary w-full">
              Confirm my address
            </button>
          </Form>
        ) : null}
        <Form method="post" className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
          <CsrfInput />
          <input type="hidden" name="intent" value="resend" />
          <Field
            name="email"
            label="Need a new link? Your email"
            type="email"
            autoComplete="email"
            required
            error={fieldError(result, 'email')}
          />
          <button type="submit" className="btn-secondary w-full">
            Send a new link
          </button>
        </Form>
        <p className="text-sm">
          <Link className="link" to="/login">
            Back to sign in
          </Link>
        </p>
      </div>
    </>
  );
}
