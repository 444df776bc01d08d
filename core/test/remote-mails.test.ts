import t from 'tap';
import type { MailBrand } from '@hostplane/sdk';
import { contentSize, describeMails, MAX_MAIL_CONTENT_CHARS, renderMail } from '../src/isolation/child/mail-render.js';
import { RemoteError } from '../src/isolation/child/peer.js';
import { IsolationErrors } from '../src/isolation/errors.js';
import { remoteMailTemplates, type RenderCall } from '../src/isolation/remote-mails.js';
import { renderMailTemplate } from '../src/mail/render-template.js';
import { checkMailTemplates, previewOf } from '../src/mail/template-catalog.js';

const brand: MailBrand = { issuer: 'platform', name: 'Hostplane', logoUrl: null, color: '#1d4ed8', replyTo: null };
const described = [{ id: 'iso.hello', description: 'Says hi', variables: { type: 'object' }, sample: { who: 'Ada' } }];

function templateAnswering(call: RenderCall) {
  return remoteMailTemplates('iso', described, { call, timeoutMs: 50 })[0]!;
}

t.test('the size of rendered content is counted without recursion and stops at the limit', async (t) => {
  // Each container 8, each member 8 more, strings their length.
  t.equal(contentSize(['Hi', ['abc']]), 8 + 2 * 8 + 2 + (8 + 8) + 3);
  t.equal(contentSize('x'.repeat(MAX_MAIL_CONTENT_CHARS + 10)), MAX_MAIL_CONTENT_CHARS + 1);
  let deep: unknown = 'x';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  t.equal(contentSize(deep), MAX_MAIL_CONTENT_CHARS + 1, 'deep nesting costs no stack');
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  t.equal(contentSize(cyclic), MAX_MAIL_CONTENT_CHARS + 1, 'a cycle is simply too large');
  t.equal(contentSize(new Array(10_000_000)), MAX_MAIL_CONTENT_CHARS + 1, 'a long array stops early');
});

t.test('the child describes its templates as data and renders one on request', async (t) => {
  const mails = [
    {
      id: 'iso.hello',
      description: 'Says hi',
      variables: { [Symbol.for('TypeBox.Kind')]: 'Object', type: 'object' },
      sample: { who: 'Ada' },
      render: (v: { who: string }, b: MailBrand) => ({ subject: `Hi ${v.who} from ${b.name}`, blocks: ['x'], extra: 1 }),
    },
    { id: 'iso.async', description: '', variables: {}, sample: {}, render: async () => ({ subject: 'late', blocks: [] }) },
    { id: 'iso.huge', description: '', variables: {}, sample: {}, render: () => ({ subject: 'x'.repeat(300_000), blocks: [] }) },
  ];
  t.same(describeMails(mails)[0], {
    id: 'iso.hello',
    description: 'Says hi',
    variables: { '@@sym:TypeBox.Kind': 'Object', type: 'object' },
    sample: { who: 'Ada' },
  });
  t.same(describeMails(undefined), []);
  t.same(renderMail(mails, { id: 'iso.hello', variables: { who: 'Ada' }, brand }), {
    subject: 'Hi Ada from Hostplane',
    blocks: ['x'],
  });
  t.throws(() => renderMail(mails, { id: 'iso.none', variables: {}, brand }), /no mail template "iso.none"/);
  t.throws(() => renderMail(mails, { id: 'iso.async', variables: {}, brand }), /not a promise/);
  t.throws(() => renderMail(mails, { id: 'iso.huge', variables: {}, brand }), { code: 'MAILER_ERR_RENDER_TOO_LARGE' });
});

t.test('stand-ins list like any template and render through the process', async (t) => {
  const template = templateAnswering(async (params) => ({
    subject: `Hi ${(params.variables as { who: string }).who}`,
    blocks: ['<b>'],
  }));
  t.doesNotThrow(() => checkMailTemplates('iso', [template]), 'checked at activation like an in-process one');
  t.throws(() => checkMailTemplates('other', [template]), /must be made by defineMailTemplate/);
  t.throws(() => template.render({}, brand), /rendered in its plugin's process/);
  const preview = await previewOf(template, 'iso.hello', brand);
  t.match(preview, { id: 'iso.hello', subject: 'Hi Ada', text: '<b>\n\n-- \nHostplane\n' });
  t.match(preview.html, '&lt;b&gt;');
});

t.test('a slow, huge or failing render is a gateway error, never the plugin’s own status', async (t) => {
  const cases: Array<[what: string, call: RenderCall, status: number, code: string]> = [
    ['timed out', () => Promise.reject(IsolationErrors.timeout('iso', 'mail.render', 50)), 504, 'MAILER_ERR_RENDER_TIMEOUT'],
    [
      'too large',
      async () => ({ subject: 'x', blocks: ['y'.repeat(MAX_MAIL_CONTENT_CHARS)] }),
      502,
      'MAILER_ERR_RENDER_TOO_LARGE',
    ],
    [
      'too large (said the child)',
      () => Promise.reject(new RemoteError({ name: 'Error', message: 'big', code: 'MAILER_ERR_RENDER_TOO_LARGE' })),
      502,
      'MAILER_ERR_RENDER_TOO_LARGE',
    ],
    [
      'thrown with a status of its choosing',
      () =>
        Promise.reject(
          new RemoteError({ name: 'HostplaneError', message: 'nope\n'.repeat(200), code: 'X_ERR_Y', statusCode: 200 }),
        ),
      502,
      'MAILER_ERR_RENDER_FAILED',
    ],
    ['process down', () => Promise.reject(IsolationErrors.unavailable('iso', 'killed')), 503, 'KERNEL_ERR_PLUGIN_UNAVAILABLE'],
  ];
  for (const [what, call, statusCode, code] of cases) {
    const error = await renderMailTemplate(templateAnswering(call), {}, brand).then(
      () => undefined,
      (e: { statusCode?: number; code?: string; message: string }) => e,
    );
    t.match(error, { statusCode, code }, what);
    t.ok((error?.message.length ?? 0) < 500, `${what}: a short message`);
  }
});

t.test('what a process describes is checked: a short list of plain data', async (t) => {
  const call: RenderCall = async () => ({});
  const make = (list: unknown) => () => remoteMailTemplates('iso', list, { call, timeoutMs: 50 });
  t.same(make(undefined)(), []);
  t.throws(make('nope'), /must be a list/);
  t.throws(make(new Array(101).fill(described[0])), /more than 100/);
  t.throws(make([{ ...described[0], id: 7 }]), /no valid id/);
  t.throws(make([{ ...described[0], description: 'x'.repeat(501) }]), /description of at most 500/);
  t.throws(make([{ ...described[0], sample: { x: 'y'.repeat(70_000) } }]), /sample is larger than/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.throws(make([{ ...described[0], variables: cyclic }]), /must be plain data/);
  const [decoded] = make([{ ...described[0], variables: { '@@sym:TypeBox.Kind': 'Object' } }])();
  t.equal((decoded!.variables as Record<symbol, unknown>)[Symbol.for('TypeBox.Kind')], 'Object', 'schema marks restored');
});
