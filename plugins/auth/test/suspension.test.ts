/**
 * With the accounts plugin beside this one, as a real install runs them: a user suspended
 * through the users API loses every credential at the next request, and gets them back when
 * unsuspended; a suspended user cannot be impersonated.
 */
import t from 'tap';
import accounts from '../../accounts/src/index.js';
import { bearer, email, startAuthHost } from './helpers/auth-host.js';

const host = await startAuthHost(t, {}, [accounts]);
const code = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;

t.test('a user suspended through POST /v1/users/:id/suspend: session and API token stop at once', async (t) => {
  const resellerAddress = email('reseller');
  const resellerId = await host.account(resellerAddress);
  await host.sql(`update hostplane.users set role = 'reseller' where id = $1`, [resellerId]);
  const customerAddress = email('customer');
  const customerId = await host.account(customerAddress);
  await host.sql(`update hostplane.users set parent_id = $1 where id = $2`, [resellerId, customerId]);
  const reseller = bearer((await host.login(resellerAddress)).accessToken);
  const session = await host.login(customerAddress);
  const token = (
    await host.post('/v1/auth/api-tokens', { name: 'deploy', scopes: ['auth.session.manage'] }, bearer(session.accessToken))
  ).json<{ token: string }>().token;
  t.equal((await host.get('/v1/auth/sessions', bearer(token))).statusCode, 200);

  const suspended = await host.post(`/v1/users/${customerId}/suspend`, { reason: 'unpaid' }, reseller);
  t.equal(suspended.statusCode, 200, suspended.body);
  const byToken = await host.get('/v1/auth/sessions', bearer(token));
  t.equal(byToken.statusCode, 401, 'the API token stops');
  t.equal(code(byToken), 'AUTH_ERR_API_TOKEN_INVALID');
  t.equal((await host.get('/v1/auth/me', bearer(session.accessToken))).statusCode, 401, 'the session stops');
  t.equal(code(await host.post(`/v1/users/${customerId}/impersonate`, undefined, reseller)), 'AUTH_ERR_ACCOUNT_SUSPENDED');

  t.equal((await host.post(`/v1/users/${customerId}/unsuspend`, {}, reseller)).statusCode, 200);
  t.equal((await host.get('/v1/auth/sessions', bearer(token))).statusCode, 200, 'unsuspended: the token works again');
});
