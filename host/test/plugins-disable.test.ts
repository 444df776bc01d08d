/**
 * Disabling a plugin says what it takes with it: plugins that require it stop only when asked
 * (cascade), and the last plugin that signs people in cannot be disabled through the API.
 */
import { definePlugin, extensionPoints } from '@hostplane/sdk';
import t from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { tokenAuthPlugin, USER } from './helpers/plugins.js';

const base = definePlugin({ id: 'base', sdk: '^0.1.0', setup() {} });
const middle = definePlugin({ id: 'middle', sdk: '^0.1.0', requires: { base: '*' }, setup() {} });
const top = definePlugin({ id: 'top', sdk: '^0.1.0', requires: { middle: '*' }, setup() {} });
// A second way to sign in (it signs nobody in here; it only counts as a provider).
const otherSignIn = definePlugin({
  id: 'other-sign-in',
  sdk: '^0.1.0',
  provides: ['authenticator'],
  setup(ctx) {
    ctx.extend(extensionPoints.authenticator, { authenticate: async () => null });
  },
});

const { kernel } = await bootKernel(t, {
  plugins: [base, middle, top, otherSignIn, tokenAuthPlugin({ admin: { userId: USER.admin, role: 'super_admin' } })],
});
const { host } = await startGateway(t, kernel);
const admin = bearer('admin');

const impactOf = async (id: string) =>
  (await host.inject({ method: 'GET', url: `/v1/plugins/${id}/disable-impact`, headers: admin })).json();
const disable = (id: string, query = '') =>
  host.inject({ method: 'POST', url: `/v1/plugins/${id}/disable${query}`, headers: admin });
const enabled = (id: string) => kernel.plugin(id)?.enabled;

t.test('plugins that require it stop with it only when asked, dependants first', async (t) => {
  t.same(await impactOf('base'), { id: 'base', dependents: ['top', 'middle'], signsPeopleIn: false, lastSignInProvider: false });
  const refused = await disable('base');
  t.equal(refused.statusCode, 409);
  t.match(refused.json(), { error: { code: 'KERNEL_ERR_DEPENDENTS_ENABLED', details: { dependents: ['top', 'middle'] } } });
  t.ok(enabled('base') && enabled('middle') && enabled('top'), 'nothing was disabled');

  const cascaded = await disable('base', '?cascade=true');
  t.equal(cascaded.statusCode, 200, cascaded.body);
  t.same(
    ['base', 'middle', 'top'].map((id) => [id, enabled(id), kernel.plugin(id)?.state]),
    [
      ['base', false, 'disabled'],
      ['middle', false, 'disabled'],
      ['top', false, 'disabled'],
    ],
  );
});

t.test('the last plugin that signs people in is refused with 409, the others are named as sign-in', async (t) => {
  t.match(await impactOf('token-auth'), { dependents: [], signsPeopleIn: true, lastSignInProvider: false });
  t.equal((await disable('other-sign-in')).statusCode, 200, 'one of two providers may go');
  t.match(await impactOf('token-auth'), { signsPeopleIn: true, lastSignInProvider: true });
  const refused = await disable('token-auth', '?cascade=true');
  t.equal(refused.statusCode, 409);
  t.match(refused.json(), { error: { code: 'KERNEL_ERR_LAST_SIGN_IN_PROVIDER', details: { plugin: 'token-auth' } } });
  t.ok(enabled('token-auth'), 'still enabled');
  t.equal(
    (await host.inject({ method: 'GET', url: '/v1/plugins', headers: admin })).statusCode,
    200,
    'and the admin still gets in',
  );
});
