import { defineMailTemplate, definePlugin, extensionPoints, Type } from '@hostplane/sdk';
import t from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { tokenAuthPlugin, USER } from './helpers/plugins.js';

const RESELLER = '00000000-0000-4000-8000-0000000000a1';
const CUSTOMER = '00000000-0000-4000-8000-0000000000a2';

const hello = defineMailTemplate({
  id: 'notes.hello',
  description: 'Greets a new customer',
  variables: Type.Object({ name: Type.String() }),
  sample: { name: '<b>Ada</b>' },
  render: ({ name }, brand) => ({ subject: `Welcome to ${brand.name}`, blocks: [`Hello ${name}`] }),
});

const notes = definePlugin({ id: 'notes', sdk: '^0.1.0', mails: [hello] });
// A branding source, as billing is one: the reseller's colour and reply-to address.
const branding = definePlugin({
  id: 'brands',
  sdk: '^0.1.0',
  provides: ['mail-branding'],
  setup(ctx) {
    ctx.extend(extensionPoints.mailBranding, {
      brandOf: async (issuer) => (issuer === RESELLER ? { color: '#AA0000', replyTo: 'help@res.test' } : undefined),
    });
  },
});

const { kernel } = await bootKernel(t, {
  plugins: [
    notes,
    branding,
    tokenAuthPlugin({
      admin: { userId: USER.admin, role: 'super_admin' },
      scoped: { userId: USER.viewer, role: 'super_admin', scopes: ['platform.plugins.read'] },
      reseller: { userId: RESELLER, role: 'reseller' },
      customer: { userId: CUSTOMER, role: 'customer' },
      tech: { userId: USER.other, role: 'technical_user' },
    }),
  ],
});
await kernel.knex('hostplane.users').insert([
  { id: RESELLER, email: 'res@example.com', role: 'reseller', name: 'Res Hosting' },
  { id: CUSTOMER, email: 'cus@example.com', role: 'customer', name: 'Cus', parent_id: RESELLER },
]);
const { host } = await startGateway(t, kernel);

const list = '/v1/mail-templates';
const preview = '/v1/mail-templates/notes.hello/preview';

t.test('only admins with the permission list and preview templates', async (t) => {
  const cases: Array<[who: string | null, status: number]> = [
    [null, 401],
    ['customer', 403],
    ['tech', 403],
    ['reseller', 403],
    ['scoped', 403],
    ['admin', 200],
  ];
  for (const url of [list, preview]) {
    for (const [who, status] of cases) {
      const res = await host.inject({ method: 'GET', url, headers: who ? bearer(who) : {} });
      t.equal(res.statusCode, status, `${who ?? 'anonymous'} GET ${url}`);
    }
  }
});

t.test('the listing names every started plugin’s templates', async (t) => {
  const res = await host.inject({ method: 'GET', url: list, headers: bearer('admin') });
  t.same(res.json().items, [
    {
      id: 'notes.hello',
      pluginId: 'notes',
      description: 'Greets a new customer',
      variables: JSON.parse(JSON.stringify(hello.variables)),
    },
  ]);
});

t.test('a preview renders the sample in the platform’s or a reseller’s branding', async (t) => {
  const platform = (await host.inject({ method: 'GET', url: preview, headers: bearer('admin') })).json();
  t.match(platform, { id: 'notes.hello', subject: 'Welcome to Hostplane', brand: { issuer: 'platform', name: 'Hostplane' } });
  t.match(platform.text, 'Hello <b>Ada</b>');
  t.match(platform.html, 'Hello &lt;b&gt;Ada&lt;/b&gt;');
  const res = await host.inject({ method: 'GET', url: `${preview}?issuer=${RESELLER}`, headers: bearer('admin') });
  t.equal(res.statusCode, 200);
  t.match(res.json(), {
    subject: 'Welcome to Res Hosting',
    brand: { issuer: RESELLER, name: 'Res Hosting', color: '#aa0000', replyTo: 'help@res.test' },
  });
  t.match(res.json().html, '#aa0000');
});

t.test('bad input is a 4xx, never a 500', async (t) => {
  const cases: Array<[url: string, status: number, code: string]> = [
    ['/v1/mail-templates/notes.nope/preview', 404, 'MAILER_ERR_TEMPLATE_NOT_FOUND'],
    ['/v1/mail-templates/other.hello/preview', 404, 'MAILER_ERR_TEMPLATE_NOT_FOUND'],
    ['/v1/mail-templates/NOT%20AN%20ID/preview', 400, 'HOST_ERR_VALIDATION'],
    [`/v1/mail-templates/notes.hello/preview?issuer=${'x'.repeat(5000)}`, 400, 'HOST_ERR_VALIDATION'],
    [`${preview}?issuer=${CUSTOMER}`, 400, 'MAILER_ERR_ISSUER_INVALID'],
    [`${preview}?issuer=${USER.admin}`, 400, 'MAILER_ERR_ISSUER_INVALID'],
    [`${preview}?issuer=00000000-0000-4000-8000-00000000ffff`, 400, 'MAILER_ERR_ISSUER_INVALID'],
    [`${preview}?issuer=zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz`, 400, 'HOST_ERR_VALIDATION'],
    [`${preview}?issuer=------------------------------------`, 400, 'MAILER_ERR_ISSUER_INVALID'],
    [`${preview}?issuer=platform%00`, 400, 'HOST_ERR_VALIDATION'],
    [`${preview}?other=1`, 400, 'HOST_ERR_VALIDATION'],
  ];
  for (const [url, status, code] of cases) {
    const res = await host.inject({ method: 'GET', url, headers: bearer('admin') });
    t.equal(res.statusCode, status, url.slice(0, 120));
    t.equal(res.json().error?.code, code, url.slice(0, 120));
  }
});

t.test('both routes are documented with their permission', async (t) => {
  const doc = (await host.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { 'x-permission'?: string }>>;
  };
  t.equal(doc.paths['/v1/mail-templates']?.get?.['x-permission'], 'platform.mail-templates.read');
  t.equal(doc.paths['/v1/mail-templates/{id}/preview']?.get?.['x-permission'], 'platform.mail-templates.read');
});
