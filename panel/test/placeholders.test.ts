// `{name}` placeholders of plugin-declared pages: values are encoded so they stay one segment.
import t from 'tap';
import { fillPath, fillText, safePanelLink, safeRoute, placeholdersOf } from '../app/lib/placeholders.js';

t.test('values fill routes URL-encoded, and a missing one gives no route', async (t) => {
  const row = { id: 'a/b', name: 'x y', n: 3, nested: { id: 'z' } };
  const at = (n: string) => (n === 'nested.id' ? row.nested.id : (row as Record<string, unknown>)[n]);
  t.equal(fillPath('/things/{id}?confirm={name}', at), '/things/a%2Fb?confirm=x%20y');
  t.equal(fillPath('/things/{nested.id}/{n}', at), '/things/z/3');
  t.equal(fillPath('/things/{missing}', at), null);
  t.equal(
    fillPath('/things/{nested}', () => ({})),
    null,
    'objects are not values',
  );
  t.equal(fillText('Delete {name} ({missing})?', at), 'Delete x y ()?');
  t.same(placeholdersOf('/a/{id}/b/{name}'), ['id', 'name']);
});

t.test('only routes of the API, and only panel pages as links', async (t) => {
  t.equal(safeRoute('/dns/zones/1/records'), '/dns/zones/1/records');
  t.equal(safeRoute(fillPath('/things/{id}', () => '..')), null, 'a value of .. is refused');
  t.equal(safeRoute('/things/../accounts'), null);
  t.equal(safeRoute('//evil.example/x'), null);
  t.equal(safeRoute('https://evil.example/'), null);
  t.equal(safeRoute(null), null);
  t.equal(safePanelLink('/p/dns/zone?zone=abc'), '/p/dns/zone?zone=abc');
  t.equal(safePanelLink('/admin/users'), null);
  t.equal(safePanelLink('https://evil.example/p/a/b'), null);
  t.equal(safePanelLink('/p/dns/zone?zone=a"onmouseover'), null);
});

t.test('a panel link may carry one path parameter, never a path escape', async (t) => {
  t.equal(safePanelLink(fillPath('/p/billing/invoice/{id}', () => 'a1-b2')), '/p/billing/invoice/a1-b2');
  t.equal(safePanelLink(fillPath('/p/billing/invoice/{id}', () => 'a/b')), '/p/billing/invoice/a%2Fb', 'encoded: one segment');
  t.equal(safePanelLink(fillPath('/p/billing/invoice/{id}', () => '..')), null, '.. would leave the page');
  t.equal(safePanelLink('/p/billing/invoice/.'), null);
  t.equal(safePanelLink('/p/billing/invoice/..?x=1'), null);
  t.equal(safePanelLink('/p/billing/invoice/a/b'), null, 'at most one');
  t.equal(safePanelLink('/p/billing/invoice/a..b'), '/p/billing/invoice/a..b', 'dots inside a value are fine');
});

t.test('{me} is the signed-in user, whatever the address says', async (t) => {
  const { pageVars } = await import('../app/lib/plugin-pages.server.js');
  const page = { pluginId: 'p', id: 'x', title: 'X', path: '/p/p/x', nav: null, params: ['zone'], titleFrom: null, sections: [] };
  const vars = pageVars(page, new URLSearchParams('zone=z1&me=someone-else'), undefined, 'user-1');
  t.same(vars, { zone: 'z1', me: 'user-1' });
  t.equal(
    fillPath('/backups/reseller-targets/{me}', (n) => vars[n]),
    '/backups/reseller-targets/user-1',
  );
});

t.test('a form field with one allowed value is sent as that value, whatever was posted', async (t) => {
  const { readSchemaForm } = await import('../app/components/schema-form.js');
  const schema = {
    type: 'object',
    properties: {
      kind: { const: 'sftp', type: 'string' },
      sftp: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] },
    },
    required: ['kind', 'sftp'],
  };
  const form = new FormData();
  form.set('kind', 's3');
  form.set('sftp.host', 'backup.example.net');
  t.same(readSchemaForm(schema, form), { kind: 'sftp', sftp: { host: 'backup.example.net' } });
});
