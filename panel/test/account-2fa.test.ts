/** Two-factor set-up in the browser: a mistyped code is a field error and the QR code stays. */
import { browserSuite } from './support/suite.js';
import { totp } from './support/totp.js';
import t from 'tap';

await browserSuite((suite) => {
  const { freshPage, signIn, consoleErrors } = suite;
  t.test('a wrong code during set-up keeps the session and the QR code; the right one turns 2FA on', async (tt) => {
    const page = await freshPage(tt);
    await signIn(page, suite.host().logins.bob);
    await page.goto(`${suite.host().url}/account/security`);
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    // A code of the wrong time step: six digits, so only the API can tell it is wrong.
    await page.getByLabel('6-digit code from the app').fill(totp(secret, 10));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.locator('#f-code[aria-invalid="true"]').waitFor();
    tt.match(page.url(), /\/account\/security$/, 'still on the page, still signed in');
    tt.match(await page.locator('#f-code-error').textContent(), /does not match/, 'the error sits by the field');
    tt.ok(await page.getByRole('img', { name: /QR code/ }).isVisible(), 'the QR code is still shown');
    tt.equal(await page.getByTestId('totp-secret').textContent(), secret, 'with the same secret');

    await page.getByLabel('6-digit code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    tt.pass('the retry with the right code turns it on');
    tt.same(consoleErrors(page), []);
  });
});
