/**
 * `/v1/billing/issuer`: a seller's invoicing details, logo, colour and own payment keys. Every
 * route × role × own/foreign issuer; validation (each refusal a 4xx with its code); keys stored
 * sealed and never shown again; the name, colour and logo reaching the seller's mails; audit.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import stripe from '@hostplane/plugin-payment-stripe';
import manual from '@hostplane/plugin-payment-manual';
import { startStripeStandIn } from '@hostplane/testing/stripe-stand-in';
import { caller, checkAuthorizationTable, sqlOf, twoTrees, type AuthorizationCase } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const standIn = await startStripeStandIn();
const host = await startTestHost({
  plugins: [
    { definition: accounts, version: '0.1.0' },
    { definition: manual, version: '0.1.0' },
    { definition: stripe, version: '0.1.0' },
    billing,
  ],
  config: { 'payment-stripe': { secretKey: 'sk_test_issuer_platform', webhookSecret: 'whsec_issuer', apiBase: standIn.url } },
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
  await standIn.close();
});

const { resellerA, resellerB, actors } = await twoTrees(sql);
const sellerA = caller(host, resellerA);
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const details = { name: 'Own Hosting GmbH', country: 'DE', numberPrefix: 'OH-', color: '#AA3300', replyTo: 'Billing@Own.test' };

const same = (code: number): [number, number] => [code, code];
const sellers = (ok: number): AuthorizationCase['expect'] => ({
  super_admin: same(ok),
  reseller: [ok, 403],
  customer: same(403),
  technical_user: same(403),
});
/** own: the caller's own issuer (the platform for the admin); foreign: reseller B named. */
const url = (path: string, which: 'own' | 'foreign') =>
  `/v1/billing/issuer${path}${which === 'foreign' ? `?issuer=${resellerB.id}` : ''}`;
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/billing/issuer': { make: async (w) => ({ url: url('', w) }), expect: sellers(200) },
  'PUT /v1/billing/issuer': { make: async (w) => ({ url: url('', w), payload: { name: 'Someone' } }), expect: sellers(200) },
  'PUT /v1/billing/issuer/logo': {
    make: async (w) => ({ url: url('/logo', w), payload: { content: PNG.toString('base64') } }),
    expect: sellers(200),
  },
  'DELETE /v1/billing/issuer/logo': { make: async (w) => ({ url: url('/logo', w) }), expect: sellers(200) },
  'PUT /v1/billing/issuer/payment-accounts/{gateway}': {
    make: async (w) => ({ url: url('/payment-accounts/stripe', w), payload: {} }),
    // The platform has no keys of its own here (its keys are payment-stripe's config): 400 for the admin's own.
    expect: { super_admin: [400, 200], reseller: [200, 403], customer: same(403), technical_user: same(403) },
  },
};
checkAuthorizationTable(t, host, actors, /^\/v1\/billing\/issuer/, TABLE);

t.test('a reseller sets its details; the next mails carry its name, colour and logo', async (t) => {
  const saved = await sellerA.call('PUT', '/v1/billing/issuer', details);
  t.equal(saved.status, 200, JSON.stringify(saved.body));
  t.match(saved.body, {
    issuer: resellerA.id,
    name: 'Own Hosting GmbH',
    numberPrefix: 'OH-',
    color: '#aa3300',
    replyTo: 'billing@own.test',
    paymentTermsDays: 14,
    hasLogo: false,
    resellerGateways: ['stripe'],
  });
  t.equal((await sellerA.call('PUT', '/v1/billing/issuer/logo', { content: PNG.toString('base64') })).body.hasLogo, true);
  const preview = await host.inject({
    method: 'GET',
    url: `/v1/mail-templates/billing.invoice-issued/preview?issuer=${resellerA.id}`,
    headers: host.headersFor('super_admin'),
  });
  t.equal(preview.statusCode, 200);
  t.match(preview.json(), {
    brand: { issuer: resellerA.id, name: 'Own Hosting GmbH', color: '#aa3300', replyTo: 'billing@own.test' },
  });
  t.match(preview.json().html, '#aa3300');
  t.match(preview.json().html, 'data:image/png;base64,');
  t.equal((await sellerA.call('DELETE', '/v1/billing/issuer/logo')).body.hasLogo, false);
  t.equal((await sellerA.get('/v1/billing/issuer')).body.name, 'Own Hosting GmbH', 'the details stay when the logo goes');
  const audit = await host.audit({ action: 'billing.issuer.updated' });
  t.ok(
    audit.some((a) => a.target?.id === resellerA.id && a.actorId === resellerA.id),
    'audited',
  );
});

t.test('payment keys are stored sealed, shown by name only, and removed with an empty object', async (t) => {
  const keys = { secretKey: 'sk_test_own_reseller_key', webhookSecret: 'whsec_own_reseller' };
  const stored = await sellerA.call('PUT', '/v1/billing/issuer/payment-accounts/stripe', keys);
  t.equal(stored.status, 200, JSON.stringify(stored.body));
  t.same(stored.body.paymentAccounts, [{ gateway: 'stripe', secrets: ['secretKey', 'webhookSecret'] }]);
  const shown = JSON.stringify((await sellerA.get('/v1/billing/issuer')).body);
  t.notMatch(shown, 'sk_test_own_reseller_key', 'never read back');
  const entries = JSON.stringify(await host.audit({ action: 'billing.issuer.payment-account-set' }));
  t.match(entries, 'secretKey');
  t.notMatch(entries, 'sk_test_own_reseller_key', 'the audit names the keys, not their values');
  const settings = JSON.stringify(await sql('hostplane.settings').where({ scope: 'secret:billing' }));
  t.notMatch(settings, 'sk_test_own_reseller_key', 'sealed at rest');
  t.same((await sellerA.call('PUT', '/v1/billing/issuer/payment-accounts/stripe', {})).body.paymentAccounts, [], 'removed');
});

t.test('bad input: a 4xx with its code, nothing stored', async (t) => {
  const before = (await sellerA.get('/v1/billing/issuer')).body;
  const cases: Array<[string, string, unknown, number, string]> = [
    ['PUT', '', { name: 'X', country: 'XX' }, 400, 'BILLING_ERR_ISSUER_INVALID'],
    ['PUT', '', { name: '   ' }, 400, 'BILLING_ERR_ISSUER_INVALID'],
    ['PUT', '', { name: 'X', color: 'red' }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '', { name: 'X', numberPrefix: 'IN/V' }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '', { name: 'X\u0000' }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '', { name: 'X', replyTo: 'not-an-address' }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '', { name: 'X', paymentTermsDays: 400 }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '', { name: 'x'.repeat(201) }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '', { name: 'X', extra: 1 }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '/logo', { content: Buffer.from('GIF89a not a png').toString('base64') }, 400, 'BILLING_ERR_ISSUER_INVALID'],
    [
      'PUT',
      '/logo',
      { content: Buffer.concat([PNG, Buffer.alloc(210 * 1024)]).toString('base64') },
      400,
      'BILLING_ERR_ISSUER_INVALID',
    ],
    ['PUT', '/logo', { content: '***not base64***' }, 400, 'BILLING_ERR_ISSUER_INVALID'],
    ['PUT', '/payment-accounts/nope', { secretKey: 'x' }, 400, 'BILLING_ERR_ISSUER_INVALID'],
    ['PUT', '/payment-accounts/stripe', { secretKey: 'x\u0000' }, 400, 'HOST_ERR_VALIDATION'],
    ['PUT', '/payment-accounts/stripe', { 'bad name': 'x' }, 400, 'BILLING_ERR_ISSUER_INVALID'],
    ['PUT', '/payment-accounts/Stripe', { secretKey: 'x' }, 400, 'HOST_ERR_VALIDATION'],
  ];
  for (const [method, path, payload, status, code] of cases) {
    const res = await sellerA.call(method, `/v1/billing/issuer${path}`, payload);
    t.equal(res.status, status, `${path} ${JSON.stringify(payload).slice(0, 60)}`);
    t.equal(res.body?.error?.code, code, JSON.stringify(res.body).slice(0, 200));
  }
  t.same((await sellerA.get('/v1/billing/issuer')).body, before, 'nothing changed');
  const admin = caller(host, actors.super_admin);
  t.equal((await admin.get(`/v1/billing/issuer?issuer=${actors.customer.id}`)).status, 400, 'a customer is no issuer');
});
