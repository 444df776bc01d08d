/** Two-factor authentication: set up with a QR code, confirm with a code, recovery codes, turn off. */
import { Form, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { AccountTabs } from '../components/account-tabs';
import { ResultToast } from '../components/toasts';
import { Alert, Card, CsrfInput, Field, PageHeader } from '../components/ui';
import { Api, apiForForm, must, readForm } from '../lib/api.server';
import { failed, fieldError, text, type ActionResult } from '../lib/action';

interface TwoFactorState {
  enabled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
}
interface Setup {
  secret: string;
  otpauthUri: string;
  qrCodeSvg: string;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  return must(request, await new Api(request, context).get<TwoFactorState>('/auth/2fa'));
}

type SecurityResult = ActionResult & { setup?: Setup; recoveryCodes?: string[] };

export async function action({ request, context }: ActionFunctionArgs): Promise<SecurityResult> {
  const form = await readForm(request);
  const api = apiForForm(request, context, form);
  const intent = form.get('intent');
  if (intent === 'setup') {
    const res = await api.post<Setup>('/auth/2fa/setup');
    return res.ok ? { ok: true, message: 'Scan the code with your authenticator app.', setup: res.data } : failed(res);
  }
  if (intent === 'enable') {
    const res = await api.post<{ recoveryCodes: string[] }>('/auth/2fa/enable', {
      code: (text(form, 'code') ?? '').replace(/\s/g, ''),
    });
    if (res.ok) return { ok: true, message: 'Two-factor authentication is on.', recoveryCodes: res.data.recoveryCodes };
    // Show the same QR code again so the person can retry.
    const setup = { secret: String(form.get('secret') ?? ''), otpauthUri: '', qrCodeSvg: String(form.get('qrCodeSvg') ?? '') };
    return { ...failed(res, {}, 'enable'), setup } as SecurityResult;
  }
  if (intent === 'regenerate') {
    const res = await api.post<{ recoveryCodes: string[] }>('/auth/2fa/recovery-codes', {
      code: (text(form, 'code') ?? '').replace(/\s/g, ''),
    });
    return res.ok
      ? { ok: true, message: 'New recovery codes made; the old ones no longer work.', recoveryCodes: res.data.recoveryCodes }
      : failed(res, {}, 'regenerate');
  }
  const code = (text(form, 'code') ?? '').replace(/\s/g, '');
  const res = await api.post('/auth/2fa/disable', {
    password: String(form.get('password') ?? ''),
    ...(/^\d{6}$/.test(code) ? { code } : { recoveryCode: code }),
  });
  return res.ok
    ? { ok: true, message: 'Two-factor authentication is off.' }
    : failed(res, { currentPassword: 'password', recoveryCode: 'code' }, 'disable');
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <Card title="Your recovery codes">
      <Alert kind="warning">Keep these somewhere safe: they are shown only now. Each works once instead of a code.</Alert>
      <ul className="mt-4 grid grid-cols-2 gap-2 font-mono text-sm" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c} className="rounded bg-slate-100 px-2 py-1 dark:bg-slate-800">
            {c}
          </li>
        ))}
      </ul>
    </Card>
  );
}

export default function Security() {
  const state = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (intent: string) => (result && !result.ok && result.intent === intent ? result : undefined);
  return (
    <>
      <PageHeader title="Account" description="Your profile, password and security settings." />
      <AccountTabs />
      <ResultToast result={result} />
      <div className="space-y-6">
        {result?.recoveryCodes ? <RecoveryCodes codes={result.recoveryCodes} /> : null}
        {result?.setup && !state.enabled ? (
          <Card title="Set up your authenticator app">
            <div className="flex flex-col gap-6 sm:flex-row">
              <img
                src={result.setup.qrCodeSvg}
                alt="QR code to scan with an authenticator app"
                width={192}
                height={192}
                className="rounded bg-white p-2"
              />
              <div className="space-y-4">
                <p className="text-sm">
                  Scan the code, or type this key:{' '}
                  <code className="font-mono break-all" data-testid="totp-secret">
                    {result.setup.secret}
                  </code>
                </p>
                <Form method="post" className="space-y-4">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="enable" />
                  <input type="hidden" name="secret" value={result.setup.secret} />
                  <input type="hidden" name="qrCodeSvg" value={result.setup.qrCodeSvg} />
                  <Field
                    name="code"
                    label="6-digit code from the app"
                    autoComplete="one-time-code"
                    inputMode="numeric"
                    required
                    error={fieldError(errorsFor('enable'), 'code')}
                  />
                  <button type="submit" className="btn-primary">
                    Turn on
                  </button>
                </Form>
              </div>
            </div>
          </Card>
        ) : null}
        <Card title="Two-factor authentication">
          {state.enabled ? (
            <div className="space-y-6">
              <Alert kind="success">On. {state.recoveryCodesLeft} recovery codes left.</Alert>
              <Form method="post" className="space-y-3">
                <CsrfInput />
                <input type="hidden" name="intent" value="regenerate" />
                <Field
                  name="code"
                  label="Current code, to make new recovery codes"
                  autoComplete="one-time-code"
                  required
                  error={fieldError(errorsFor('regenerate'), 'code')}
                />
                <button type="submit" className="btn-secondary">
                  New recovery codes
                </button>
              </Form>
              <Form method="post" className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
                <CsrfInput />
                <input type="hidden" name="intent" value="disable" />
                <Field
                  name="password"
                  label="Password"
                  type="password"
                  autoComplete="current-password"
                  required
                  error={fieldError(errorsFor('disable'), 'password')}
                />
                <Field
                  name="code"
                  label="Code or recovery code"
                  autoComplete="one-time-code"
                  required
                  error={fieldError(errorsFor('disable'), 'code')}
                />
                <button type="submit" className="btn-danger">
                  Turn off two-factor
                </button>
              </Form>
            </div>
          ) : (
            <div className="space-y-4">
              <p className="text-sm">Off. With it on, signing in also asks for a code from an authenticator app on your phone.</p>
              <Form method="post">
                <CsrfInput />
                <input type="hidden" name="intent" value="setup" />
                <button type="submit" className="btn-primary">
                  Set up two-factor
                </button>
              </Form>
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
