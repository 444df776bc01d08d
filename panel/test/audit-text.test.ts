/** The audit log's words for people: pure functions of panel/app/lib/audit.ts. */
import t from 'tap';
import { actorText, detailFields, labelOf, targetPath } from '../app/lib/audit.js';

const rita = { id: 'r', name: 'Rita Reseller', email: 'reseller@hostplane.test' };
const alice = { id: 'a', name: 'Alice Customer', email: 'alice@hostplane.test' };

t.test('who acted: "reseller as alice" for an impersonated act', async (t) => {
  t.equal(actorText({ actor: alice, impersonator: rita, details: {}, source: 'core' }), 'Rita Reseller as Alice Customer');
  t.equal(actorText({ actor: rita, impersonator: null, details: {}, source: 'accounts' }), 'Rita Reseller');
  t.equal(actorText({ actor: { ...rita, name: '' }, impersonator: null, details: {}, source: 'core' }), rita.email);
  t.equal(actorText({ actor: null, impersonator: null, details: { via: 'cli' }, source: 'accounts' }), 'Command line');
  t.equal(actorText({ actor: null, impersonator: null, details: {}, source: 'core' }), 'System');
});

t.test('details as readable fields, without ids nor raw JSON', async (t) => {
  t.same(
    detailFields({
      impersonatorId: 'f1b5c7de-0000-4000-8000-000000000000',
      customerId: 'f1b5c7de-0000-4000-8000-000000000001',
      method: 'POST',
      url: '/v1/websites',
      status: 201,
      aliases: ['www.example.com', 'shop.example.com'],
      changed: { phpVersion: '8.3' },
      withUser: false,
    }),
    [
      { label: 'Method', value: 'POST' },
      { label: 'Address', value: '/v1/websites' },
      { label: 'Answer', value: '201' },
      { label: 'Aliases', value: 'www.example.com, shop.example.com' },
      { label: 'Changed', value: 'php version 8.3' },
      { label: 'With user', value: 'no' },
    ],
  );
  t.equal(labelOf('php_max_children'), 'Php max children');
  t.equal(labelOf('firstUrl'), 'First page');
});

t.test('targets link to their page', async (t) => {
  t.equal(targetPath({ type: 'user', id: 'x', label: 'a@b.test' }), '/users?search=a%40b.test');
  t.equal(targetPath({ type: 'website', id: 'w1', label: 'example.com' }), '/websites/w1');
  t.equal(targetPath({ type: 'package', id: 'p1', label: 'Starter' }), '/packages/p1');
  t.equal(targetPath({ type: 'plugin', id: 'hello', label: null }), null);
});
