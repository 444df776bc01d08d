/**
 * An isolated plugin's mail templates: listed for admins, previewed and sent through one path
 * (the kernel asks the plugin's process to render, then lays out and escapes), the same mail as
 * when the plugin runs in the host's process. A template that hangs, floods or throws is cut off
 * with a gateway error while the host keeps serving.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { TestHost } from '@hostplane/sdk/testing';
import { startTestHost } from '@hostplane/testing';
import { bystander, keepsServing } from './support/keeps-serving.js';

const fixture = (path: string) => fileURLToPath(new URL(path, import.meta.url)).replace(/\/$/, '');
const postcardDir = fixture('./fixtures/isolated-mail/postcard/');
const probeDir = fixture('./fixtures/isolated/probe/');
if (process.getuid?.() !== 0 && process.env.HOSTPLANE_REQUIRE_SYSTEM !== '1') {
  t.skip('isolation runs each plugin as its own system user: needs root');
  process.exit(0);
}

// Well above what a loaded machine takes to carry a 1 MB answer, well below the watchdog's 3 s.
const RENDER_MS = 1500;

function boot(postcard: 'process' | 'in-process' = 'process'): Promise<TestHost> {
  return startTestHost({
    plugins: [bystander, { dir: postcardDir }, { dir: probeDir }],
    enable: ['bystander', 'postcard', 'probe'],
    isolation: {
      plugins: { postcard },
      mailRenderMs: RENDER_MS,
      heartbeatMs: 100,
      // Generous: a loaded machine can stall a starting process for over a second.
      heartbeatTimeoutMs: 3000,
      backoff: { initialMs: 200, maxMs: 1000 },
    },
  });
}

interface Preview {
  id: string;
  subject: string;
  text: string;
  html: string;
  brand: { issuer: string; name: string };
}

function preview(host: TestHost, id: string) {
  return host.inject({ method: 'GET', url: `/v1/mail-templates/${id}/preview`, headers: host.headersFor('super_admin') });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const host = await boot();
t.teardown(() => host.close());

t.test('the admin lists an isolated plugin’s templates, previews and sends them', async (t) => {
  for (const id of ['postcard', 'probe']) {
    t.equal(host.kernel.plugin(id)?.state, 'started', `${id}: ${JSON.stringify(host.kernel.plugin(id)?.error)}`);
  }
  const list = await host.inject({ method: 'GET', url: '/v1/mail-templates', headers: host.headersFor('super_admin') });
  t.equal(list.statusCode, 200);
  const items = list.json<{ items: Array<{ id: string; pluginId: string; description: string; variables: unknown }> }>().items;
  t.same(
    items.map((i) => i.id),
    ['postcard.sent', 'probe.flood', 'probe.hang', 'probe.huge', 'probe.throws'],
  );
  t.match(items[0], {
    pluginId: 'postcard',
    description: 'A postcard from a customer to a friend',
    variables: { type: 'object', properties: { from: { type: 'string', maxLength: 60 }, text: { type: 'string' } } },
  });

  const res = await preview(host, 'postcard.sent');
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const mail = res.json<Preview>();
  t.equal(mail.subject, 'A postcard from Ada <ada@example.test>');
  t.match(mail.text, 'Greetings from the sea & the <b>sun</b>');
  t.match(mail.html, 'Greetings from the sea &amp; the &lt;b&gt;sun&lt;/b&gt;', 'escaped by the kernel');
  t.notMatch(mail.html, '<b>sun');

  const sent = await host.inject({
    method: 'POST',
    url: '/v1/postcard/send',
    payload: { to: 'friend@example.test', variables: { from: 'Grace', text: 'Wish you were here <3' } },
  });
  t.equal(sent.statusCode, 200, sent.body.slice(0, 300));
  const [queued] = await host.kernel.listOutbox({ to: 'friend@example.test' });
  t.match(queued, { subject: 'A postcard from Grace', tag: 'postcard.sent', source: 'postcard', fromName: 'Hostplane' });
  t.match(queued?.html ?? '', 'Wish you were here &lt;3');

  const foreign = await host.inject({
    method: 'POST',
    url: '/v1/postcard/send-foreign',
    payload: { to: 'x@example.test', variables: {} },
  });
  t.same(foreign.json(), { outcome: 'refused', code: 'MAILER_ERR_TEMPLATE_NOT_FOUND' }, 'only its own templates');
  const undeclared = await host.inject({ method: 'GET', url: '/v1/probe/raw-mail' });
  t.same(undeclared.json(), { outcome: 'refused', code: 'KERNEL_ERR_SERVICE_NOT_DECLARED' }, 'no mail without `mailer`');
  t.same(await host.kernel.listOutbox({ to: 'x@example.test' }), []);
});

t.test('the same mail whether the plugin runs isolated or in the host’s process', async (t) => {
  const inProcess = await boot('in-process');
  t.teardown(() => inProcess.close());
  const [isolated, local] = await Promise.all([preview(host, 'postcard.sent'), preview(inProcess, 'postcard.sent')]);
  t.equal(local.statusCode, 200);
  t.same(isolated.json(), local.json());
});

t.test('a huge, flooding or failing render is a 502 with a clear error', async (t) => {
  const cases: Array<[id: string, code: string, message: RegExp]> = [
    ['probe.huge', 'MAILER_ERR_RENDER_TOO_LARGE', /rendered more than 262144 characters/],
    ['probe.flood', 'MAILER_ERR_RENDER_TOO_LARGE', /rendered more than 262144 characters/],
    ['probe.throws', 'MAILER_ERR_RENDER_FAILED', /could not be rendered by its plugin: no postcard today/],
  ];
  const attacks = (async () => {
    for (const [id, code, message] of cases) {
      const res = await preview(host, id);
      t.equal(res.statusCode, 502, id);
      t.equal(res.json<{ error: { code: string } }>().error.code, code, id);
      t.match(res.json<{ error: { message: string } }>().error.message, message, id);
      t.ok(res.body.length < 2000, `${id}: the answer stays small`);
    }
  })();
  await keepsServing(t, host, attacks);
  await attacks;
  t.equal((await preview(host, 'postcard.sent')).statusCode, 200, 'other templates still render');
});

t.test('a render that hangs is cut off at its time limit; the process is replaced', async (t) => {
  const started = Date.now();
  const hang = preview(host, 'probe.hang');
  const rounds = await keepsServing(t, host, hang);
  const res = await hang;
  const ms = Date.now() - started;
  t.equal(res.statusCode, 504);
  t.match(res.json(), {
    error: {
      code: 'MAILER_ERR_RENDER_TIMEOUT',
      message: `Mail template probe.hang was not rendered by its plugin within ${RENDER_MS} ms`,
    },
  });
  t.ok(ms < RENDER_MS + 1500, `answered after ${ms} ms`);
  t.ok(rounds >= 1, `the host answered ${rounds} rounds meanwhile`);

  // Still hung, then killed by its watchdog and started again: 504 or 503 meanwhile, never a hang.
  const states: number[] = [];
  for (let i = 0; i < 100 && states.at(-1) !== 502; i++) {
    states.push((await preview(host, 'probe.throws')).statusCode);
    await wait(100);
  }
  t.same(
    states.filter((s) => s !== 503 && s !== 504),
    [502],
    `down: ${states.slice(0, -1).join(', ')}; then back, its templates render (and fail) again`,
  );
  const plugins = await host.inject({ method: 'GET', url: '/v1/plugins', headers: host.headersFor('super_admin') });
  const probe = plugins
    .json<{ items: Array<{ id: string; health: { state: string; reason: string } | null }> }>()
    .items.find((p) => p.id === 'probe');
  t.match(probe?.health, { state: 'degraded', reason: /no heartbeat/ });
  const list = await host.inject({ method: 'GET', url: '/v1/mail-templates', headers: host.headersFor('super_admin') });
  t.equal(list.json<{ items: unknown[] }>().items.length, 5, 'still listed');
  t.equal((await preview(host, 'postcard.sent')).statusCode, 200, 'the other isolated plugin never noticed');
});
