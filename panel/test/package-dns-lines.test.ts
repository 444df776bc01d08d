// The DNS template card's lines (`name [ttl] type data`) to records and back, and a refusal
// turned into the line it came from.
import t from 'tap';
import { parseTemplate, templateError, templateText } from '../app/lib/package-dns.js';

t.test('lines become records: optional TTL, types upper-cased, comments and blank lines skipped', async (t) => {
  const parsed = parseTemplate('@ A {ipv4}\n\n; mail\n@ 3600 mx 10 mail.{domain}\n_dmarc TXT v=DMARC1;  p=none\r\n');
  t.same(parsed, {
    records: [
      { name: '@', type: 'A', data: '{ipv4}' },
      { name: '@', type: 'MX', ttl: 3600, data: '10 mail.{domain}' },
      { name: '_dmarc', type: 'TXT', data: 'v=DMARC1;  p=none' },
    ],
    lines: [1, 4, 5],
  });
  t.same(parseTemplate(''), { records: [], lines: [] }, 'empty: no records');
  t.match(parseTemplate('@ A {ipv4}\nwww CNAME'), { error: /^Line 2: / }, 'a line without data');
});

t.test('records become lines, TTL where set', async (t) => {
  const records = [
    { name: '@', type: 'A', data: '{ipv4}' },
    { name: 'www', type: 'CNAME', ttl: 600, data: '@' },
  ];
  const text = templateText(records);
  t.equal(text, '@ A {ipv4}\nwww 600 CNAME @');
  t.same(parseTemplate(text), { records, lines: [1, 2] }, 'and back');
});

t.test('a refusal names the line of the record', async (t) => {
  const error = {
    code: 'DNS_ERR_INVALID',
    message: 'The zone apex cannot have a CNAME',
    details: { field: '/body/records/1/name', reason: 'x' },
  };
  t.equal(templateError(error, [2, 5]), 'Line 5: The zone apex cannot have a CNAME');
  t.equal(templateError({ code: 'DNS_ERR_PACKAGE_NOT_FOUND', message: 'No package x' }, [1]), 'No package x');
});
