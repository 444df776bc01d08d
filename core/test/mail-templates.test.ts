import t from 'tap';
import { defineMailTemplate, Type, type MailBrand, type MailBranding, type MailerService } from '@hostplane/sdk';
import { EventBus } from '../src/events/event-bus.js';
import { resolveBrand } from '../src/mail/branding.js';
import { renderTemplate } from '../src/mail/render-template.js';
import { checkMailTemplates, previewOf } from '../src/mail/template-catalog.js';
import { createMailerService, listOutbox } from '../src/services/mailer.js';
import { remoteMailTemplates } from '../src/isolation/remote-mails.js';
import { createUsersService } from '../src/services/users-service.js';
import { captureLogger } from './helpers/logger.js';
import { useTestDatabase } from './helpers/database.js';

const greeting = defineMailTemplate({
  id: 'test.greeting',
  description: 'Says hello',
  variables: Type.Object({ name: Type.String({ maxLength: 200 }), url: Type.String(), amount: Type.String() }),
  sample: { name: 'Ada', url: 'https://panel.example/x?a=1&b=2', amount: '12.00 EUR' },
  render: ({ name, url, amount }, brand) => ({
    subject: `Hello ${name} from ${brand.name}`,
    blocks: [`Hello ${name},\nwelcome.`, { action: { label: 'Open', url } }, { facts: [['Amount', amount]] }],
  }),
});

const platform: MailBrand = { issuer: 'platform', name: 'Hostplane', logoUrl: null, color: '#1d4ed8', replyTo: null };

t.test('every variable is escaped in the HTML and kept verbatim in the text', async (t) => {
  const evil = '<script>alert(1)</script>"&\'';
  const mail = renderTemplate(greeting, { name: evil, url: 'https://x.example/?q="><img src=x>', amount: '<b>' }, platform);
  t.notMatch(mail.html, /<script>/);
  t.notMatch(mail.html, /<img src=x>/);
  t.notMatch(mail.html, /<b>/);
  t.match(mail.html, '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;');
  t.match(mail.text, evil);
  t.match(mail.text, 'https://x.example/?q="><img src=x>');
});

t.test('text and HTML carry the same content, with the sign-off', async (t) => {
  const mail = renderTemplate(greeting, greeting.sample, platform);
  t.equal(mail.subject, 'Hello Ada from Hostplane');
  t.equal(mail.text, 'Hello Ada,\nwelcome.\n\nOpen:\nhttps://panel.example/x?a=1&b=2\n\nAmount: 12.00 EUR\n\n-- \nHostplane\n');
  const visible = mail.html
    .replace(/<title>.*<\/title>/, '')
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&');
  for (const part of ['Hello Ada,', 'welcome.', 'Open', 'https://panel.example/x?a=1&b=2', 'Amount', '12.00 EUR', 'Hostplane']) {
    t.ok(visible.includes(part), `HTML shows ${part}`);
  }
  t.match(mail.html, 'href="https://panel.example/x?a=1&amp;b=2"');
});

t.test('only http(s) URLs become links; a line break cannot reach the subject', async (t) => {
  const mail = renderTemplate(greeting, { name: 'A\r\nBcc: x@evil.test', url: 'javascript:alert(1)', amount: '1' }, platform);
  t.notMatch(mail.html, /href="javascript/);
  t.match(mail.html, 'javascript:alert(1)');
  t.equal(mail.subject, 'Hello A Bcc: x@evil.test from Hostplane');
});

t.test('variables that do not match the schema are refused with a 400', async (t) => {
  t.throws(() => renderTemplate(greeting, { name: 'Ada' }, platform), { code: 'MAILER_ERR_VARIABLES_INVALID', statusCode: 400 });
  t.throws(() => renderTemplate(greeting, { ...greeting.sample, name: 'x'.repeat(201) }, platform), {
    code: 'MAILER_ERR_VARIABLES_INVALID',
  });
});

t.test('the brand colours the layout; an unsafe colour or logo is replaced', async (t) => {
  const branded = renderTemplate(greeting, greeting.sample, {
    ...platform,
    color: '#FF0000',
    logoUrl: 'data:image/png;base64,AAAA',
  });
  t.match(branded.html, 'border-top:4px solid #ff0000');
  t.match(branded.html, '<img src="data:image/png;base64,AAAA" alt="Hostplane"');
  const hostile = renderTemplate(greeting, greeting.sample, {
    ...platform,
    color: 'red;background:url(x)',
    logoUrl: 'data:image/svg+xml;base64,AAAA',
  });
  t.notMatch(hostile.html, 'url(x)');
  t.notMatch(hostile.html, '<img');
  t.match(hostile.html, '#1d4ed8');
});

t.test('template ids must sit under the plugin id, once each', async (t) => {
  t.throws(() => defineMailTemplate({ ...greeting, id: 'Bad id' }), TypeError);
  t.doesNotThrow(() => checkMailTemplates('test', [greeting]));
  t.doesNotThrow(() => checkMailTemplates('test', undefined));
  t.throws(() => checkMailTemplates('other', [greeting]), /must be made by defineMailTemplate/);
  t.throws(() => checkMailTemplates('test', [greeting, greeting]), /declared twice/);
  t.throws(() => checkMailTemplates('test', 'nope'), TypeError);
  await t.rejects(previewOf(undefined, 'test.none', platform), { code: 'MAILER_ERR_TEMPLATE_NOT_FOUND', statusCode: 404 });
});

t.test('with a database', async (t) => {
  const { knex } = await useTestDatabase(t);
  const users = createUsersService({
    knex,
    events: new EventBus(captureLogger().logger).forSource('core'),
    permissionsOfRole: () => new Set(),
  });
  const admin = await users.create({ email: 'admin@x.test', role: 'super_admin' });
  const reseller = await users.create({ email: 'res@x.test', role: 'reseller', parentId: admin.id, name: 'Res Hosting' });
  const customer = await users.create({ email: 'cus@x.test', role: 'customer', parentId: reseller.id });
  const tech = await users.create({ email: 'tech@x.test', role: 'technical_user', parentId: customer.id });
  const direct = await users.create({ email: 'direct@x.test', role: 'customer', parentId: admin.id });

  t.test('the issuer is the nearest reseller above the recipient, or the platform', async (t) => {
    const deps = { knex, sources: () => [] };
    t.equal((await resolveBrand(deps, { recipientId: customer.id })).issuer, reseller.id);
    t.equal((await resolveBrand(deps, { recipientId: tech.id })).issuer, reseller.id);
    t.equal((await resolveBrand(deps, { recipientId: direct.id })).issuer, 'platform');
    t.equal((await resolveBrand(deps, { recipientId: 'not-a-uuid' })).issuer, 'platform');
    t.same(await resolveBrand(deps, { issuer: reseller.id }), {
      issuer: reseller.id,
      name: 'Res Hosting',
      logoUrl: null,
      color: '#1d4ed8',
      replyTo: null,
    });
    t.equal((await resolveBrand(deps)).name, 'Hostplane');
  });

  t.test('an issuer that is not the platform or a reseller is refused', async (t) => {
    const deps = { knex, sources: () => [] };
    for (const issuer of [customer.id, admin.id, '00000000-0000-4000-8000-000000000000', 'nope', 'a\u0000b', '']) {
      await t.rejects(resolveBrand(deps, { issuer }), { code: 'MAILER_ERR_ISSUER_INVALID', statusCode: 400 }, issuer);
    }
  });

  t.test('a branding source overrides the defaults, field by field, checked', async (t) => {
    const asked: string[] = [];
    const source: MailBranding = {
      async brandOf(issuer) {
        asked.push(issuer);
        return issuer === 'platform'
          ? undefined
          : { name: 'Res\r\nBcc: x', color: '#00aa00', logoUrl: 'javascript:x', replyTo: 'Help@Res.test' };
      },
    };
    const brand = await resolveBrand({ knex, sources: () => [source] }, { issuer: reseller.id });
    t.same(brand, { issuer: reseller.id, name: 'Res Bcc: x', logoUrl: null, color: '#00aa00', replyTo: 'help@res.test' });
    t.equal((await resolveBrand({ knex, sources: () => [source] }, {})).name, 'Hostplane');
    t.same(asked, [reseller.id, 'platform']);
  });

  t.test('sendTemplate renders, brands and queues the mail in one step', async (t) => {
    const source: MailBranding = { brandOf: async () => ({ name: 'Res Hosting', replyTo: 'help@res.test' }) };
    const mailer = createMailerService(knex, 'test', () => [source]);
    await mailer.sendTemplate(greeting, { to: 'cus@x.test', recipientId: customer.id, variables: greeting.sample });
    const [mail] = await listOutbox(knex, { to: 'cus@x.test' });
    t.match(mail, {
      subject: 'Hello Ada from Res Hosting',
      tag: 'test.greeting',
      fromName: 'Res Hosting',
      replyTo: 'help@res.test',
      source: 'test',
    });
    t.match(mail!.text, 'Hello Ada,');
    t.match(mail!.html, '<!doctype html>');
    await t.rejects(mailer.sendTemplate(greeting, { to: 'cus@x.test', variables: { name: 1 } as never }), {
      code: 'MAILER_ERR_VARIABLES_INVALID',
    });
  });

  t.test('content rendered elsewhere is laid out, escaped and branded by the kernel', async (t) => {
    const mailer = createMailerService(knex, 'iso');
    const asked: unknown[] = [];
    const [template] = remoteMailTemplates(
      'iso',
      [{ id: 'iso.hello', description: 'Says hi', variables: { type: 'object' }, sample: {} }],
      {
        timeoutMs: 1000,
        call: async (params) => {
          asked.push(params);
          return {
            subject: 'Hi\r\nBcc: x',
            blocks: ['<script>x</script>', { action: { label: 'Go', url: 'javascript:x' } }, 42, null],
          };
        },
      },
    );
    await mailer.sendTemplate(template!, { to: 'iso@x.test', recipientId: customer.id, variables: { who: 'Ada' } });
    t.match(asked, [{ id: 'iso.hello', variables: { who: 'Ada' }, brand: { issuer: reseller.id, name: 'Res Hosting' } }]);
    const [mail] = await listOutbox(knex, { to: 'iso@x.test' });
    t.match(mail, { subject: 'Hi Bcc: x', tag: 'iso.hello', fromName: 'Res Hosting', source: 'iso' });
    t.notMatch(mail!.html, /<script>|href="javascript/);
    t.equal(mail!.text, '<script>x</script>\n\nGo:\njavascript:x\n\n-- \nRes Hosting\n', 'malformed blocks dropped');
  });

  t.test('a templated mail inside a rolled-back transaction is not queued', async (t) => {
    const mailer = createMailerService(knex, 'test');
    await t.rejects(
      knex.transaction(async (trx) => {
        await mailer.sendTemplate(greeting, { to: 'rollback@x.test', variables: greeting.sample }, { trx });
        throw new Error('roll back');
      }),
    );
    t.same(await listOutbox(knex, { to: 'rollback@x.test' }), []);
  });
});

t.test('an isolated plugin sends its own template by id; the kernel has it rendered and lays it out', async (t) => {
  const { childServices } = await import('../src/isolation/child/services.js');
  const calls: Array<{ method: string; params: unknown }> = [];
  const peer = {
    call: async (method: string, params: unknown) => {
      calls.push({ method, params });
      return { id: 'mail-1' };
    },
  };
  const services = childServices({
    pluginId: 'test',
    peer: peer as never,
    logger: captureLogger().logger,
    capabilities: new Set(['mailer']),
    knex: undefined,
    tasks: new Map(),
    jobMaxAttempts: () => undefined,
  } as never);
  const mailer = services.get('core.mailer')!() as MailerService;
  t.same(await mailer.sendTemplate(greeting, { to: 'a@x.test', recipientId: 'u1', variables: greeting.sample }), {
    id: 'mail-1',
  });
  t.same(
    JSON.parse(JSON.stringify(calls)),
    [
      {
        method: 'mail.send',
        params: { template: 'test.greeting', input: { to: 'a@x.test', recipientId: 'u1', variables: greeting.sample } },
      },
    ],
    'plain data crosses the channel, no function',
  );
});
