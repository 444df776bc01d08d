/** Sign in: password, then (when enabled) the authenticator code or a recovery code. */
import {
  Form,
  Link,
  redirect,
  useActionData,
  useLoaderData,
  useNavigation,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from 'react-router';
import { Alert, CsrfInput, Field } from '../components/ui';
import { Api, currentUser, passCookies, readForm } from '../lib/api.server';
import { fieldError, failed, text, type ActionResult } from '../lib/action';
import { flashCookie } from '../lib/flash';
import { safeNext } from '../lib/next';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const next = safeNext(url.searchParams.get('next'));
  if (await currentUser(request, context)) throw redirect(next);
  const options = await new Api(request, context).get<{ registration: boolean }>('/auth/options');
  return {
    next,
    expired: url.searchParams.get('expired') === '1',
    verified: url.searchParams.get('verified') === '1',
    // Offer the link only when the auth plugin takes registrations (and says so).
    registration: options.ok && options.data.registration,
  };
}

type LoginAnswer = { twoFactorRequired?: boolean; challengeToken?: string };
type Failed = Extract<ActionResult, { ok: false }>;
interface TwoFactorPending {
  ok: false;
  step: 'two-factor';
  challengeToken: string;
  email: string;
  errors?: Failed;
}
type LoginActionResult = ActionResult | TwoFactorPending;

export async function action({ request, context }: ActionFunctionArgs): Promise<LoginActionResult | Response> {
  const form = await readForm(request);
  const api = new Api(request, context);
  const next = safeNext(form.get('next'));
  const welcome = (res: Parameters<typeof passCookies>[0]) => {
    const headers = passCookies(res);
    headers.append('set-cookie', flashCookie(request, { kind: 'success', message: 'Signed in.' }));
    return redirect(next, { headers });
  };

  if (form.get('intent') === 'two-factor') {
    const challengeToken = text(form, 'challengeToken') ?? '';
    const code = text(form, 'code');
    const body =
      code && /^\d{6}$/.test(code.replace(/\s/g, ''))
        ? { challengeToken, code: code.replace(/\s/g, '') }
        : { challengeToken, recoveryCode: code ?? '' };
    const res = await api.post('/auth/login/2fa', body);
    if (res.ok) return welcome(res);
    const result = failed(res, { recoveryCode: 'code' });
    if (res.error.code === 'AUTH_ERR_CHALLENGE_INVALID') return result;
    if (!result.ok) result.errors.fields.code ??= res.error.message;
    return {
      ok: false,
      step: 'two-factor',
      challengeToken,
      email: text(form, 'email') ?? '',
      errors: result as Failed,
    };
  }

  const email = text(form, 'email') ?? '';
  const res = await api.post<LoginAnswer>('/auth/login', { email, password: form.get('password') ?? '' });
  if (!res.ok) return failed(res);
  if (res.data.twoFactorRequired && res.data.challengeToken) {
    return { ok: false, step: 'two-factor', challengeToken: res.data.challengeToken, email };
  }
  return welcome(res);
}

export default function Login() {
  const { next, expired, verified, registration } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as LoginActionResult | undefined;
  const busy = useNavigation().state === 'submitting';
  const pending = result && 'step' in result ? (result as TwoFactorPending) : null;
  if (pending)
    return (
      <TwoFactorStep
        next={next}
        challengeToken={pending.challengeToken}
        email={pending.email}
        error={pending.errors}
        busy={busy}
      />
    );
  const actionResult = result as ActionResult | undefined;
  return (
    <>
      <title>Sign in · Hostplane</title>
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      <p className="muted mt-1 text-sm">Manage your websites, packages and account.</p>
      <div className="mt-6 space-y-4">
        {expired ? <Alert kind="info">Your session has ended. Sign in again to continue.</Alert> : null}
        {verified ? <Alert kind="success">Your address is confirmed. You can sign in now.</Alert> : null}
        {actionResult && !actionResult.ok ? <Alert kind="error">{actionResult.errors.message}</Alert> : null}
        <Form method="post" className="space-y-4">
          <CsrfInput />
          <input type="hidden" name="next" value={next} />
          <Field
            name="email"
            label="Email"
            type="email"
            autoComplete="username"
            required
            error={fieldError(actionResult, 'email')}
            autoFocus
          />
          <Field
            name="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            error={fieldError(actionResult, 'password')}
          />
          <button type="submit" className="btn-primary w-full" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </Form>
        <div className="flex justify-between text-sm">
          <Link className="link" to="/forgot-password">
            Forgot your password?
          </Link>
          {registration ? (
            <Link className="link" to="/register">
              Create an account
            </Link>
          ) : null}
        </div>
      </div>
    </>
  );
}

function TwoFactorStep(props: { next: string; challengeToken: string; email: string; error: Failed | undefined; busy: boolean }) {
  return (
    <>
      <title>Two-factor authentication · Hostplane</title>
      <h1 className="text-2xl font-semibold tracking-tight">Two-factor authentication</h1>
      <p className="muted mt-1 text-sm">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
      <Form method="post" className="mt-6 space-y-4">
        <CsrfInput />
        <input type="hidden" name="intent" value="two-factor" />
        <input type="hidden" name="next" value={props.next} />
        <input type="hidden" name="email" value={props.email} />
        <input type="hidden" name="challengeToken" value={props.challengeToken} />
        <Field
          name="code"
          label="Code"
          autoComplete="one-time-code"
          inputMode="text"
          required
          autoFocus
          error={fieldError(props.error, 'code')}
        />
        <button type="submit" className="btn-primary w-full" disabled={props.busy}>
          Verify
        </button>
      </Form>
      <p className="mt-4 text-sm">
        <a className="link" href="/login">
          Start again
        </a>
      </p>
    </>
  );
}
