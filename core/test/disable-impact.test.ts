/** What disabling a plugin takes with it, computed from the manifests alone. */
import t from 'tap';
import { disableImpact, type ImpactNode } from '../src/registry/disable-impact.js';

const node = (id: string, requires: string[] = [], provides: string[] = [], enabled = true): ImpactNode => ({
  id,
  enabled,
  requires: Object.fromEntries(requires.map((r) => [r, '*'])),
  provides,
});

t.test('dependants stop before what they require, disabled ones are left out', async (t) => {
  // b requires a and c; c requires a: c must outlive b.
  const nodes = [node('b', ['a', 'c']), node('c', ['a']), node('a'), node('off', ['a'], [], false)];
  t.same(disableImpact('a', nodes).dependents, ['b', 'c']);
  t.same(disableImpact('b', nodes).dependents, []);
});

t.test('sign-in: a provider signs people in; the last one is marked, also when a dependant is it', async (t) => {
  const one = [node('auth', [], ['authenticator']), node('web')];
  t.match(disableImpact('auth', one), { signsPeopleIn: true, lastSignInProvider: true });
  t.match(disableImpact('web', one), { signsPeopleIn: false, lastSignInProvider: false });
  const two = [...one, node('sso', [], ['authenticator'])];
  t.match(disableImpact('auth', two), { signsPeopleIn: true, lastSignInProvider: false });
  const through = [node('users'), node('auth', ['users'], ['authenticator'])];
  t.match(disableImpact('users', through), { dependents: ['auth'], signsPeopleIn: true, lastSignInProvider: true });
});
