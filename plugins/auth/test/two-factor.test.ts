import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost, type AuthHost, type SignedIn } from './helpers/auth-host.js';

const stepNow = () => Math.floor(Date.now() / 30_000);

/** The code of time step `step`. */
function totpAt(secret: string, step: number): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
}

/** The code of the time step `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  return totpAt(secret, stepNow() + offset);
}

interface Setup {
  secret: string;
  otpauthUri: string;
  qrCodeSvg: string;
}

/** Account with 2FA on (enabled with the current step's code); its recovery codes. */
async function enrolled(host: AuthHost, address: string): Promise<{ secret: string; recoveryCodes: string[]; tokens: SignedIn }> {
  await host.account(address);
  const tokens = await host.login(address);
  const setup = (await host.post('/v1/auth/2fa/setup', undefined, bearer(tokens.accessToken))).json<Setup>();
  const enabled = await host.post('/v1/auth/2fa/enable', { code: totp(setup.secret) }, bearer(tokens.accessToken));
  if (enabled.statusCode !== 200) throw new Error(`enable: ${enabled.body}`);
  return { secret: setup.secret, recoveryCodes: enabled.json<{ recoveryCodes: string[] }>().recoveryCodes, tokens };
}

async function challenge(host: AuthHost, address: string): Promise<string> {
  const res = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  const body = res.json<{ twoFactorRequired?: boolean; challengeToken?: string; accessToken?: string }>();
  if (!body.twoFactorRequired || !body.challengeToken || body.accessToken) throw new Error(`expected a challenge: ${res.body}`);
  return body.challengeToken;
}

// One host for the file: booting one costs seconds; each test uses its own accounts.
const host = await startAuthHost(t);

t.test('2FA: setup, enable, login with a code and with a recovery code; replays refused', async (t) => {
  const address = email('totp');
  await host.account(address);
  const tokens = await host.login(address);
  const auth = bearer(tokens.accessToken);

  t.same((await host.get('/v1/auth/2fa', auth)).json(), { enabled: false, pending: false, recoveryCodesLeft: 0 });
  const enableEarly = await host.post('/v1/auth/2fa/enable', { code: '123456' }, auth);
  t.equal(enableEarly.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_2FA_NOT_SET_UP');

  const setupRes = await host.post('/v1/auth/2fa/setup', undefined, auth);
  t.equal(setupRes.statusCode, 200);
  const setup = setupRes.json<Setup>();
  t.match(setup.secret, /^[A-Z2-7]{32}$/);
  t.match(
    setup.otpauthUri,
    /^otpauth:\/\/totp\/Hostplane:.+\?issuer=Hostplane&algorithm=SHA1&secret=[A-Z2-7]+&period=30&digits=6$/,
  );
  t.match(setup.qrCodeSvg, /^data:image\/svg\+xml;base64,/);
  t.match(Buffer.from(setup.qrCodeSvg.split(',')[1]!, 'base64').toString(), /^<svg/);
  const [stored] = await host.sql<{ secret_enc: string; enabled_at: Date | null }>(
    `select secret_enc, enabled_at from plugin_auth.totp_credentials where user_id = $1`,
    [tokens.user.id],
  );
  t.match(stored, { secret_enc: /^v1\./, enabled_at: null }, 'stored encrypted, pending');
  t.notOk(stored!.secret_enc.includes(setup.secret), 'the stored form is not the secret');

  t.same((await host.get('/v1/auth/2fa', auth)).json(), { enabled: false, pending: true, recoveryCodesLeft: 0 });
  const wrong = await host.post('/v1/auth/2fa/enable', { code: totp(setup.secret, 5) }, auth);
  // A typo while setting up is a form error, not a sign-in failure: the session and the pending
  // secret stay, so the person can try again with the same QR code.
  t.equal(wrong.statusCode, 400, 'a code from the wrong time does not enable');
  t.match(wrong.json(), { error: { code: 'AUTH_ERR_2FA_SETUP_CODE_INVALID', details: { field: '/body/code' } } });
  t.equal((await host.get('/v1/auth/me', auth)).statusCode, 200, 'the session is still good');
  t.same((await host.get('/v1/auth/2fa', auth)).json(), { enabled: false, pending: true, recoveryCodesLeft: 0 }, 'still pending');
  const enableStep = stepNow();
  const enabled = await host.post('/v1/auth/2fa/enable', { code: totpAt(setup.secret, enableStep) }, auth);
  t.equal(enabled.statusCode, 200);
  const { recoveryCodes } = enabled.json<{ recoveryCodes: string[] }>();
  t.equal(recoveryCodes.length, 10);
  t.equal(new Set(recoveryCodes).size, 10);
  for (const code of recoveryCodes) t.match(code, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  t.same((await host.get('/v1/auth/2fa', auth)).json(), { enabled: true, pending: false, recoveryCodesLeft: 10 });
  t.equal((await host.post('/v1/auth/2fa/setup', undefined, auth)).statusCode, 409, 'no second setup while on');

  // Step 1: password → challenge, no tokens, no cookie.
  const first = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
  t.equal(first.statusCode, 200);
  t.match(first.json(), { twoFactorRequired: true, challengeToken: /^[a-z2-7]+$/, expiresIn: 300 });
  t.notOk(first.headers['set-cookie'], 'no cookie before the second factor');
  const challengeToken = first.json<{ challengeToken: string }>().challengeToken;

  // The enabling code's step is spent: that code (and any older one) is refused.
  const stale = await host.post('/v1/auth/login/2fa', { challengeToken, code: totpAt(setup.secret, enableStep) });
  t.equal(stale.statusCode, 401, 'the code that enabled 2FA cannot sign in');
  const code = totpAt(setup.secret, enableStep + 1);
  const second = await host.post('/v1/auth/login/2fa', { challengeToken, code });
  t.equal(second.statusCode, 200, 'login with a TOTP code');
  const signedIn = second.json<SignedIn>();
  t.match(second.headers['set-cookie'], /hp_session=/);
  const me = await host.get('/v1/auth/me', bearer(signedIn.accessToken));
  t.match(me.json(), { twoFactorEnabled: true, session: { twoFactor: true } });

  const replayChallenge = await challenge(host, address);
  const replay = await host.post('/v1/auth/login/2fa', { challengeToken: replayChallenge, code });
  t.equal(replay.statusCode, 401, 'the same code again is refused');
  t.equal(replay.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_2FA_CODE_INVALID');
  const reuseChallenge = await host.post('/v1/auth/login/2fa', { challengeToken, code: totpAt(setup.secret, enableStep + 1) });
  t.equal(reuseChallenge.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_CHALLENGE_INVALID', 'a challenge works once');

  const both = await host.post('/v1/auth/login/2fa', {
    challengeToken: replayChallenge,
    code: '123456',
    recoveryCode: recoveryCodes[0],
  });
  t.equal(both.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_CODE_CHOICE');

  const withRecovery = await host.post('/v1/auth/login/2fa', {
    challengeToken: replayChallenge,
    recoveryCode: recoveryCodes[0]!.toUpperCase(),
  });
  t.equal(withRecovery.statusCode, 200, 'login with a recovery code (case and dashes do not matter)');
  const recoveryAgain = await host.post('/v1/auth/login/2fa', {
    challengeToken: await challenge(host, address),
    recoveryCode: recoveryCodes[0],
  });
  t.equal(recoveryAgain.statusCode, 401, 'a recovery code works once');
  t.same((await host.get('/v1/auth/2fa', auth)).json(), { enabled: true, pending: false, recoveryCodesLeft: 9 });

  const history = (await host.get('/v1/auth/login-history?limit=100', bearer(signedIn.accessToken))).json<{
    items: Array<{ success: boolean; reason: string | null; twoFactor: boolean }>;
  }>();
  t.ok(
    history.items.some((e) => e.success && e.twoFactor),
    'history shows a 2FA sign-in',
  );
  t.ok(
    history.items.some((e) => !e.success && e.reason === 'invalid_2fa_code'),
    'and the refused code',
  );
  t.ok(
    history.items.some((e) => !e.success && e.reason === 'invalid_recovery_code'),
    'and the spent recovery code',
  );
});

t.test('2FA: disable needs password and code; recovery codes can be replaced', async (t) => {
  const a = email('disable');
  const { secret, recoveryCodes, tokens } = await enrolled(host, a);
  const auth = bearer(tokens.accessToken);

  const badPassword = await host.post(
    '/v1/auth/2fa/disable',
    { password: 'not my password at all', code: totp(secret, 1) },
    auth,
  );
  t.equal(badPassword.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_PASSWORD_INCORRECT');
  const badCode = await host.post('/v1/auth/2fa/disable', { password: PASSWORD, recoveryCode: 'aaaa-bbbb-cccc-dddd' }, auth);
  t.equal(badCode.json<{ error: { code: string } }>().error.code, 'AUTH_ERR_2FA_CODE_INVALID');
  const off = await host.post('/v1/auth/2fa/disable', { password: PASSWORD, recoveryCode: recoveryCodes[3] }, auth);
  t.equal(off.statusCode, 204, 'disabled with password + recovery code');
  const left = await host.sql(
    `select 1 from plugin_auth.recovery_codes r join hostplane.users u on u.id = r.user_id where u.email = $1`,
    [a],
  );
  t.equal(left.length, 0, 'recovery codes deleted');
  const plain = await host.post('/v1/auth/login', { email: a, password: PASSWORD });
  t.ok(plain.json<{ accessToken?: string }>().accessToken, 'login is one step again');

  const b = email('regen');
  const second = await enrolled(host, b);
  const regen = await host.post(
    '/v1/auth/2fa/recovery-codes',
    { code: totp(second.secret, 1) },
    bearer(second.tokens.accessToken),
  );
  t.equal(regen.statusCode, 200);
  const fresh = regen.json<{ recoveryCodes: string[] }>().recoveryCodes;
  t.equal(fresh.length, 10);
  const oldCode = await host.post('/v1/auth/login/2fa', {
    challengeToken: await challenge(host, b),
    recoveryCode: second.recoveryCodes[0],
  });
  t.equal(oldCode.statusCode, 401, 'old recovery codes stop working');
  const newCode = await host.post('/v1/auth/login/2fa', { challengeToken: await challenge(host, b), recoveryCode: fresh[0] });
  t.equal(newCode.statusCode, 200, 'new ones work');

  const actions = (
    await host.sql<{ action: string }>(`select action from hostplane.audit_log where source = 'auth' order by id`)
  ).map((r) => r.action);
  for (const action of ['auth.2fa.enabled', 'auth.2fa.disabled', 'auth.2fa.recovery-codes-regenerated']) {
    t.ok(actions.includes(action), `audited: ${action}`);
  }
});
