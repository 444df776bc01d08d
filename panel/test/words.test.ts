/** The panel's words: plural forms, limit refusals, devices, the customer's menu (pure functions). */
import t from 'tap';
import { limitText, plural } from '../app/lib/plural.js';
import { describeUserAgent } from '../app/lib/user-agent.js';
import { buildNav } from '../app/lib/nav.js';
import type { Me, PanelPage } from '../app/lib/types.js';

t.test('one website, two websites', async (t) => {
  t.equal(plural(1, 'website'), '1 website');
  t.equal(plural(0, 'website'), '0 websites');
  t.equal(plural(2, 'technical user'), '2 technical users');
  t.equal(plural(3, 'entry', 'entries'), '3 entries');
  t.equal(limitText({ resource: 'websites', used: 1, limit: 1 }), 'Your package allows 1 website, and 1 is in use.');
  t.equal(
    limitText({ resource: 'email_accounts', used: 3, limit: 3 }),
    'Your package allows 3 email accounts, and 3 are in use.',
  );
});

t.test('a device as browser and system, not a raw User-Agent', async (t) => {
  const cases: Array<[string | null, string]> = [
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      'Chrome 156 on Linux',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox 133 on Windows'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
      'Safari 17 on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Edge 131 on Windows',
    ],
    [
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome 131 on Android',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      'Headless Chrome 131 on Linux',
    ],
    ['curl/8.5.0', 'curl 8'],
    [null, 'Unknown device'],
    ['something else entirely', 'Unknown device'],
  ];
  for (const [ua, expected] of cases) t.equal(describeUserAgent(ua), expected, expected);
});

t.test('a customer’s menu holds what it may use: no Packages nor Subscriptions', async (t) => {
  const page = (id: string, label: string): PanelPage => ({
    pluginId: 'accounts',
    id,
    title: label,
    params: [],
    titleFrom: null,
    path: `/p/accounts/${id}`,
    nav: { label, section: 'main', order: 30 },
    sections: [],
  });
  const pages = [page('packages', 'Packages'), page('subscriptions', 'Subscriptions'), page('users', 'Users')];
  const me = (role: Me['user']['role']) => ({ user: { role }, permissions: [] }) as unknown as Me;
  const hosting = (role: Me['user']['role']) => buildNav(me(role), pages)[0]!.items.map((i) => i.label);
  t.same(hosting('customer'), ['Dashboard', 'Technical users']);
  t.same(hosting('technical_user'), ['Dashboard', 'Users']);
  t.same(hosting('reseller'), ['Dashboard', 'Packages', 'Subscriptions', 'Customers']);
});
