/**
 * Which names a wildcard order asks for, and which names a wildcard certificate covers (the
 * rule that lets a subdomain site serve its owner's wildcard): pure functions, no servers.
 */
import t from 'tap';
import { wildcardNames } from '../src/services/dns-responder.js';
import { covers } from '../src/services/shared-wildcards.js';

t.test('a wildcard order: the base without www., *.base, and names the wildcard does not cover', async (t) => {
  t.same(wildcardNames(['example.com']), ['example.com', '*.example.com']);
  t.same(wildcardNames(['www.example.com', 'example.com']), ['example.com', '*.example.com'], 'www. is the base’s');
  t.same(
    wildcardNames(['example.com', 'shop.example.com', 'a.b.example.com', 'other.net']),
    ['example.com', '*.example.com', 'a.b.example.com', 'other.net'],
    'one label deep is covered; deeper names and other domains are asked for by name',
  );
});

t.test('a wildcard covers exactly one label below it', async (t) => {
  const names = ['example.com', '*.example.com'];
  t.ok(covers(names, 'example.com'));
  t.ok(covers(names, 'blog.example.com'));
  t.notOk(covers(names, 'a.blog.example.com'), 'not two labels deep (RFC 6125 §6.4.3)');
  t.notOk(covers(['*.example.com'], 'example.com'), 'not the apex by itself');
  t.notOk(covers(names, 'blogexample.com'), 'not a name that merely ends the same');
  t.notOk(covers(names, 'example.com.evil.net'));
  t.notOk(covers(['*.example.com'], '.example.com'), 'not an empty label');
});
