import t from 'tap';
import { DomainRefused, displayDomain, normalizeDomain, slugOf } from '../src/domains.js';

t.test('accepts what people type and returns the ASCII form', async (t) => {
  t.equal(normalizeDomain('Example.COM'), 'example.com');
  t.equal(normalizeDomain('www.shop.example.com.'), 'www.shop.example.com');
  t.equal(normalizeDomain('bücher.example'), 'xn--bcher-kva.example');
  t.equal(normalizeDomain('xn--bcher-kva.example'), 'xn--bcher-kva.example');
  t.equal(normalizeDomain('пример.рф'), 'xn--e1afmkfd.xn--p1ai');
  t.equal(normalizeDomain('a-b.co'), 'a-b.co');
  t.equal(displayDomain('xn--bcher-kva.example'), 'bücher.example');
});

t.test('refuses hostile and malformed names with a reason', async (t) => {
  const refused: Array<[string, RegExp]> = [
    ['', /empty/],
    ['../etc/passwd', /characters/],
    ['example.com/../../x', /characters/],
    ['example.com;\ninclude /etc/passwd', /characters/],
    ['example.com\n', /characters/],
    ['exa mple.com', /characters/],
    ['example.com;', /characters/],
    ['ex$ample.com', /characters/],
    ['a..b.com', /characters/],
    ['*.example.com', /characters/],
    ['.example.com', /start with/],
    ['example', /two labels/],
    ['-bad.example.com', /label "-bad"/],
    ['bad-.example.com', /label "bad-"/],
    ['under_score.example.com', /characters|label/],
    [`${'a'.repeat(64)}.com`, /label/],
    [`${'abcdefghi.'.repeat(26)}com`, /253/],
    ['127.0.0.1', /IP address/],
    ['1.2.3.4.5', /IP address|internationalized/],
    ['localhost', /two labels|reserved/],
    ['shop.localhost', /reserved/],
    ['printer.local', /reserved/],
    ['x.invalid', /reserved/],
    ['1.0.0.127.in-addr.arpa', /reserved/],
    // Cyrillic "а" (U+0430) inside Latin "paypal": a lookalike.
    ['p\u0430ypal.com', /mixes Latin and Cyrillic/],
    ['xn--pypal-4ve.com', /mixes Latin and Cyrillic/],
    ['zero\u200bwidth.com', /characters/],
    ['right\u202eleft.com', /characters/],
  ];
  for (const [input, reason] of refused) {
    t.throws(() => normalizeDomain(input), DomainRefused, JSON.stringify(input));
    try {
      normalizeDomain(input);
    } catch (err) {
      t.match((err as Error).message, reason, `${JSON.stringify(input)} says why`);
    }
  }
});

t.test('extra reserved names come from policy', async (t) => {
  t.throws(() => normalizeDomain('panel.hostplane.example', { reserved: ['hostplane.example'] }), /reserved/);
  t.throws(() => normalizeDomain('hostplane.example', { reserved: ['HOSTPLANE.example'] }), /reserved/);
  t.equal(normalizeDomain('hostplane.example.org', { reserved: ['hostplane.example'] }), 'hostplane.example.org');
});

t.test('slugs are safe file names', async (t) => {
  t.equal(slugOf('www.shop.example.com'), 'shop-example-com');
  t.equal(slugOf('xn--bcher-kva.example'), 'xn-bcher-kva-example');
  t.equal(slugOf('a-very-long-domain-name-for-a-shop.example.com'), 'a-very-long-domain-name');
  t.match(slugOf('a-very-long-domain-name-for-a-shop.example.com'), /^[a-z0-9][a-z0-9-]{0,23}$/);
  t.equal(slugOf('---.com'), 'com');
});
