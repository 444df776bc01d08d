/**
 * `/v1/billing/tax-rates`: every route × role × own/foreign; validation (ISO country, region,
 * basis points), one rate per place (also under parallel creates), audit entries, and a rate
 * reaching the next invoice while issued ones keep theirs.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import {
  caller,
  checkAuthorizationTable,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, billing],
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, resellerA, resellerB, customerA, customerB, techA, actors } = await twoTrees(sql);
const sellerOf = { own: resellerA, foreign: resellerB };

let counter = 0;
/** A fresh rate of the side's reseller, in a place of its own. */
async function rate(which: Which): Promise<string> {
  counter += 1;
  const res = await caller(host, sellerOf[which]).post('/v1/billing/tax-rates', {
    country: 'US',
    region: `R${counter}`,
    name: 'Sales tax',
    rateBp: 725,
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

const same = (code: number): [number, number] => [code, code];
const sellers = (ok: number) => ({
  super_admin: same(ok),
  reseller: [ok, 404] as [number, number],
  customer: same(403),
  technical_user: same(403),
});
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/billing/tax-rates': {
    make: async () => ({ url: '/v1/billing/tax-rates' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(403), technical_user: same(403) },
  },
  'POST /v1/billing/tax-rates': {
    make: async () => {
      counter += 1;
      return { url: '/v1/billing/tax-rates', payload: { country: 'CA', region: `P${counter}`, name: 'GST', rateBp: 500 } };
    },
    expect: { super_admin: same(201), reseller: same(201), customer: same(403), technical_user: same(403) },
  },
  'GET /v1/billing/tax-rates/{id}': {
    make: async (w) => ({ url: `/v1/billing/tax-rates/${await rate(w)}` }),
    expect: sellers(200),
  },
  'PUT /v1/billing/tax-rates/{id}': {
    make: async (w) => {
      const id = await rate(w);
      counter += 1;
      return { url: `/v1/billing/tax-rates/${id}`, payload: { country: 'US', region: `M${counter}`, name: 'Tax', rateBp: 800 } };
    },
    expect: sellers(200),
  },
  'DELETE /v1/billing/tax-rates/{id}': {
    make: async (w) => ({ url: `/v1/billing/tax-rates/${await rate(w)}` }),
    expect: sellers(204),
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/billing\/tax-rates/, TABLE);

t.test('validation: a real country, a region, basis points 0–10000, a name; nothing else', async (t) => {
  const as = caller(host, resellerA);
  const good = { country: 'FR', name: 'TVA 20 %', rateBp: 2000 };
  for (const [body, code] of [
    [{ ...good, country: 'UK' }, 'BILLING_ERR_TAX_RATE_INVALID'],
    [{ ...good, country: 'EU' }, 'BILLING_ERR_TAX_RATE_INVALID'],
    [{ ...good, country: 'fr' }, 'HOST_ERR_VALIDATION'],
    [{ ...good, country: 'FRA' }, 'HOST_ERR_VALIDATION'],
    [{ ...good, rateBp: 10_001 }, 'HOST_ERR_VALIDATION'],
    [{ ...good, rateBp: -1 }, 'HOST_ERR_VALIDATION'],
    [{ ...good, rateBp: 19.5 }, 'HOST_ERR_VALIDATION'],
    [{ ...good, name: '' }, 'HOST_ERR_VALIDATION'],
    [{ ...good, name: '   ' }, 'BILLING_ERR_TAX_RATE_INVALID'],
    [{ ...good, name: 'x'.repeat(61) }, 'HOST_ERR_VALIDATION'],
    [{ ...good, region: '' }, 'HOST_ERR_VALIDATION'],
    [{ ...good, region: 'a\u0000b' }, 'HOST_ERR_VALIDATION'],
    [{ ...good, inclusive: true }, 'HOST_ERR_VALIDATION'],
    [{ country: 'FR', name: 'x' }, 'HOST_ERR_VALIDATION'],
  ] as const) {
    const res = await as.post('/v1/billing/tax-rates', body);
    t.equal(res.status, 400, JSON.stringify(body));
    t.equal(res.body.error.code, code, JSON.stringify(body));
  }
  t.match(await as.post('/v1/billing/tax-rates', { ...good, country: 'UK' }), {
    body: { error: { details: { field: '/body/country' } } },
  });
  // The edges are fine: zero-rated and 100 %.
  t.equal((await as.post('/v1/billing/tax-rates', { ...good, region: 'ZERO', rateBp: 0 })).status, 201);
  t.equal((await as.post('/v1/billing/tax-rates', { ...good, region: 'ALL', rateBp: 10_000 })).status, 201);
  t.equal((await as.get('/v1/billing/tax-rates/not-a-uuid')).status, 400);
  t.equal((await as.call('PUT', '/v1/billing/tax-rates/00000000-0000-4000-8000-000000000000', good)).status, 404);
  t.equal((await as.get('/v1/billing/tax-rates?issuer=nobody')).status, 400);
});

t.test('one rate per place: 409 on a second (also in another case, and in parallel)', async (t) => {
  const as = caller(host, resellerB);
  const first = await as.post('/v1/billing/tax-rates', { country: 'DE', name: 'MwSt 19 %', rateBp: 1900 });
  t.equal(first.status, 201);
  t.match(await as.post('/v1/billing/tax-rates', { country: 'DE', name: 'again', rateBp: 700 }), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_TAX_RATE_TAKEN', details: { place: 'DE' } } },
  });
  // A region is another place; `by` and `BY` are one.
  t.match(await as.post('/v1/billing/tax-rates', { country: 'DE', region: ' by ', name: 'Bavaria', rateBp: 1900 }), {
    status: 201,
    body: { region: 'BY' },
  });
  t.equal((await as.post('/v1/billing/tax-rates', { country: 'DE', region: 'BY', name: 'x', rateBp: 1 })).status, 409);
  // Another seller has its own places.
  t.equal((await caller(host, resellerA).post('/v1/billing/tax-rates', { country: 'DE', name: 'x', rateBp: 1900 })).status, 201);
  const parallel = await Promise.all(
    Array.from({ length: 8 }, (_, i) => as.post('/v1/billing/tax-rates', { country: 'AT', name: `USt ${i}`, rateBp: 2000 })),
  );
  t.same(parallel.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
  // Moving a rate onto a taken place is refused too, and changes nothing.
  const other = await as.post('/v1/billing/tax-rates', { country: 'NL', name: 'BTW', rateBp: 2100 });
  t.equal((await as.call('PUT', `/v1/billing/tax-rates/${other.body.id}`, { country: 'DE', name: 'x', rateBp: 1 })).status, 409);
  t.match((await as.get(`/v1/billing/tax-rates/${other.body.id}`)).body, { country: 'NL', name: 'BTW', rateBp: 2100 });
  // A replace without a region clears it.
  const regional = await as.post('/v1/billing/tax-rates', { country: 'IT', region: 'X', name: 'IVA', rateBp: 2200 });
  t.match(await as.call('PUT', `/v1/billing/tax-rates/${regional.body.id}`, { country: 'IT', name: 'IVA', rateBp: 2200 }), {
    status: 200,
    body: { country: 'IT', region: null },
  });
  const list = (await as.get('/v1/billing/tax-rates')).body;
  t.equal(list.issuer, resellerB.id);
  t.equal(list.pricesIncludeTax, false);
  t.same(
    list.items
      .filter((r: { country: string }) => ['DE', 'AT'].includes(r.country))
      .map((r: { country: string; region: string | null }) => `${r.country}-${r.region}`),
    ['AT-null', 'DE-null', 'DE-BY'],
    'by place, the country before its regions',
  );
});

t.test('issuers: a reseller only its own; an administrator the platform’s or a reseller’s', async (t) => {
  const asAdmin = caller(host, admin);
  t.match(
    await caller(host, resellerA).post('/v1/billing/tax-rates', { country: 'SE', name: 'x', rateBp: 2500, issuer: resellerB.id }),
    {
      status: 403,
      body: { error: { code: 'BILLING_ERR_NOT_ISSUER' } },
    },
  );
  t.equal((await caller(host, resellerA).get(`/v1/billing/tax-rates?issuer=${resellerB.id}`)).status, 403);
  t.match(await asAdmin.post('/v1/billing/tax-rates', { country: 'SE', name: 'Moms', rateBp: 2500 }), {
    status: 201,
    body: { issuer: 'platform' },
  });
  t.match(await asAdmin.post('/v1/billing/tax-rates', { country: 'SE', name: 'Moms', rateBp: 2500, issuer: resellerA.id }), {
    status: 201,
    body: { issuer: resellerA.id },
  });
  t.match(await asAdmin.post('/v1/billing/tax-rates', { country: 'SE', name: 'x', rateBp: 1, issuer: customerA.id }), {
    status: 400,
    body: { error: { code: 'BILLING_ERR_TAX_RATE_INVALID', details: { field: '/body/issuer' } } },
  });
  const platform = (await asAdmin.get('/v1/billing/tax-rates')).body;
  t.equal(platform.issuer, 'platform');
  t.ok(platform.items.every((r: { issuer: string }) => r.issuer === 'platform'));
  const ofA = (await asAdmin.get(`/v1/billing/tax-rates?issuer=${resellerA.id}`)).body.items as Array<{ country: string }>;
  t.ok(ofA.some((r) => r.country === 'SE'));
  t.same(
    ((await caller(host, resellerA).get('/v1/billing/tax-rates')).body.items as Array<{ country: string }>).filter(
      (r) => r.country === 'SE',
    ).length,
    1,
  );
});

t.test('audit: created, updated (with what it was), deleted', async (t) => {
  const as = caller(host, resellerA);
  const made = await as.post('/v1/billing/tax-rates', { country: 'PT', name: 'IVA 23 %', rateBp: 2300 });
  await as.call('PUT', `/v1/billing/tax-rates/${made.body.id}`, { country: 'PT', name: 'IVA 23 %', rateBp: 2200 });
  t.equal((await as.del(`/v1/billing/tax-rates/${made.body.id}`)).status, 204);
  t.equal((await as.del(`/v1/billing/tax-rates/${made.body.id}`)).status, 404);
  const rows = await sql('hostplane.audit_log')
    .where({ target_type: 'tax_rate', target_id: made.body.id })
    .orderBy('id')
    .select('action', 'actor_id', 'details');
  t.match(rows, [
    { action: 'billing.tax_rate.created', actor_id: resellerA.id, details: { rateBp: 2300, issuer: resellerA.id } },
    { action: 'billing.tax_rate.updated', details: { rateBp: 2200, before: { rateBp: 2300 } } },
    { action: 'billing.tax_rate.deleted', details: { country: 'PT' } },
  ]);
  // A refused create writes nothing.
  const before = await sql('hostplane.audit_log').where({ action: 'billing.tax_rate.created' }).count({ c: '*' }).first();
  await as.post('/v1/billing/tax-rates', { country: 'DE', name: 'dup', rateBp: 1 });
  const after = await sql('hostplane.audit_log').where({ action: 'billing.tax_rate.created' }).count({ c: '*' }).first();
  t.equal(Number(after!.c), Number(before!.c));
});

t.test('the next invoice charges the rate of the customer’s place; issued ones keep theirs', async (t) => {
  const seller = caller(host, resellerB);
  t.equal((await seller.call('PUT', `/v1/billing/profiles/${customerB.id}`, { country: 'US', region: 'ny' })).status, 200);
  const ny = await seller.post('/v1/billing/tax-rates', { country: 'US', region: 'NY', name: 'NY sales tax', rateBp: 400 });
  t.equal(ny.status, 201);
  const invoice = async () => {
    const res = await seller.post('/v1/invoices', {
      customerId: customerB.id,
      currency: 'USD',
      lines: [{ description: 'Setup', unitAmount: 10_000 }],
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  };
  const first = await invoice();
  t.match(first, { taxTotal: 400, total: 10_400 });
  t.match((await seller.get(`/v1/invoices/${first.id}`)).body, { lines: [{ taxName: 'NY sales tax', taxRateBp: 400 }] });
  const issued = await invoice();
  await seller.call('PUT', `/v1/billing/tax-rates/${ny.body.id}`, {
    country: 'US',
    region: 'NY',
    name: 'NY sales tax',
    rateBp: 888,
  });
  t.match(await invoice(), { taxTotal: 888 });
  await seller.del(`/v1/billing/tax-rates/${ny.body.id}`);
  t.match(await invoice(), { taxTotal: 0 }, 'no US rate left for the place');
  t.match((await seller.get(`/v1/invoices/${issued.id}`)).body, { taxTotal: 400 }, 'an issued invoice never changes');
  // The customer's technical user and other customers see no rates.
  t.equal((await caller(host, techA).get('/v1/billing/tax-rates')).status, 403);
  t.equal((await caller(host, customerA).get('/v1/billing/tax-rates')).status, 403);
});

t.test('the CLI lists, adds and removes, with the API’s checks', async (t) => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await host.kernel.runCommand('billing', 'tax-rates', args, {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const added = await run(['add', '--country', 'BE', '--name', 'BTW 21 %', '--rate', '2100', '--json']);
  t.equal(added.code, 0, added.err);
  const id = JSON.parse(added.out).id as string;
  t.match(JSON.parse(added.out), { issuer: 'platform', country: 'BE', rateBp: 2100 });
  t.match(await run(['list']), { code: 0, out: /BE\s+BTW 21 %\s+21 %/ });
  t.match(await run(['add', '--country', 'BE', '--region', 'vlg', '--name', 'x', '--rate', '600', '--issuer', resellerA.id]), {
    code: 0,
  });
  t.match(await run(['list', '--issuer', resellerA.id, '--json']), { code: 0, out: /"region": "VLG"/ });
  t.match(await run(['add', '--country', 'be', '--name', 'x', '--rate', '1']), { code: 2, err: /--country/ });
  t.match(await run(['add', '--country', 'BE', '--name', 'x', '--rate', '10001']), { code: 2, err: /--rate/ });
  t.match(await run(['add', '--country', 'BE', '--name', 'x', '--rate', '1', '--issuer', customerA.id]), {
    code: 2,
    err: /--issuer/,
  });
  t.match(await run(['frobnicate']), { code: 2, err: /unknown subcommand/ });
  await t.rejects(run(['add', '--country', 'BE', '--name', 'again', '--rate', '1']), { code: 'BILLING_ERR_TAX_RATE_TAKEN' });
  await t.rejects(run(['add', '--country', 'UK', '--name', 'x', '--rate', '1']), { code: 'BILLING_ERR_TAX_RATE_INVALID' });
  t.match(await run(['remove', id]), { code: 0, out: /removed/ });
  await t.rejects(run(['remove', id]), { code: 'BILLING_ERR_TAX_RATE_NOT_FOUND' });
  const audit = await sql('hostplane.audit_log').where({ target_type: 'tax_rate', target_id: id }).orderBy('id');
  t.match(audit, [
    { action: 'billing.tax_rate.created', actor_id: null },
    { action: 'billing.tax_rate.deleted', actor_id: null },
  ]);
});
