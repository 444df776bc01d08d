/**
 * Throttles count an attempt before the check it guards, so requests arriving all at once
 * cannot slip past the limit: at most `throttleMaxPerAccount` (5) passwords or codes are
 * checked, however many come in parallel. An answer "invalid" means a check ran; 429 means
 * none did.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import t from 'tap';
import { bearer, email, PASSWORD, startAuthHost } from './helpers/auth-host.js';

const host = await startAuthHost(t);
const WRONG = 'definitely not the password';

const codeOf = (res: { json<T>(): T }) => res.json<{ error?: { code: string } }>().error?.code ?? 'none';

function tally(answers: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a] = (out[a] ?? 0) + 1;
  return out;
}

t.test('60 parallel wrong passwords: at most 5 are checked, the rest wait', async (t) => {
  const address = email('race');
  await host.account(address);
  const answers = await Promise.all(
    Array.from({ length: 60 }, () =>
      host.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: address, password: WRONG },
        remoteAddress: '10.3.0.1',
      }),
    ),
  );
  const counts = tally(answers.map(codeOf));
  t.equal(counts.AUTH_ERR_INVALID_CREDENTIALS, 5, `passwords checked: ${JSON.stringify(counts)}`);
  t.equal(counts.AUTH_ERR_THROTTLED, 55, 'every other attempt was refused before any check');
  const [row] = await host.sql<{ n: string }>(
    `select count(*) as n from hostplane.audit_log where action = 'auth.login.failed' and details->>'reason' = 'invalid_password' and details->>'email' = $1`,
    [address],
  );
  t.equal(Number(row!.n), 5, 'five failures were recorded');
});

t.test('40 parallel wrong 2FA codes: at most 5 are checked', async (t) => {
  const address = email('race-2fa');
  await host.account(address);
  const session = await host.login(address);
  const setup = (await host.post('/v1/auth/2fa/setup', undefined, bearer(session.accessToken))).json<{ secret: string }>();
  const step = Math.floor(Date.now() / 30_000);
  const good = generateHOTP(decodeBase32IgnorePadding(setup.secret), BigInt(step), 6);
  t.equal((await host.post('/v1/auth/2fa/enable', { code: good }, bearer(session.accessToken))).statusCode, 200);
  const wrong = good === '000000' ? '111111' : '000000';

  // Eight challenges, five codes each: a challenge alone would also stop at five wrong codes.
  const challenges: string[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await host.post('/v1/auth/login', { email: address, password: PASSWORD });
    challenges.push(res.json<{ challengeToken: string }>().challengeToken);
  }
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      host.inject({
        method: 'POST',
        url: '/v1/auth/login/2fa',
        payload: { challengeToken: challenges[i % 8], code: wrong },
        remoteAddress: '10.3.0.2',
      }),
    ),
  );
  const counts = tally(answers.map(codeOf));
  t.equal(counts.AUTH_ERR_2FA_CODE_INVALID, 5, `codes checked: ${JSON.stringify(counts)}`);
  t.equal(counts.AUTH_ERR_THROTTLED, 35, 'every other attempt was refused before any check');
});

t.test('parallel wrong current passwords on change-password: at most 5 are checked', async (t) => {
  const address = email('race-change');
  await host.account(address);
  const session = await host.login(address);
  const answers = await Promise.all(
    Array.from({ length: 30 }, () =>
      host.inject({
        method: 'POST',
        url: '/v1/auth/change-password',
        payload: { currentPassword: WRONG, newPassword: 'a new passphrase 1234' },
        headers: bearer(session.accessToken),
        remoteAddress: '10.3.0.3',
      }),
    ),
  );
  const counts = tally(answers.map(codeOf));
  t.equal(counts.AUTH_ERR_PASSWORD_INCORRECT, 5, `passwords checked: ${JSON.stringify(counts)}`);
  t.equal(counts.AUTH_ERR_THROTTLED, 25);
});
