// The `database` part of the static manifest: what a plugin's role shares and reads is checked
// before any of its code runs, and the definition may not claim more.
import t from 'tap';
import { definePlugin } from '@hostplane/sdk';
import { validateManifest } from '../src/registry/manifest.js';
import { checkDefinitionAgainstManifest } from '../src/registry/load-definition.js';

const base = { id: 'websites', sdk: '^0.1.0', requires: { accounts: '^0.1.0' } };

function problems(hostplane: unknown): string[] {
  try {
    validateManifest({ name: 'x', version: '1.0.0', hostplane }, 'x');
    return [];
  } catch (error) {
    return (error as { details?: { problems: string[] } }).details?.problems ?? [String(error)];
  }
}

t.test('shares and reads of plain relation names pass', async (t) => {
  const manifest = validateManifest(
    {
      name: 'x',
      version: '1.0.0',
      hostplane: { ...base, database: { shares: ['sites'], reads: { accounts: ['subscriptions', 'packages'] } } },
    },
    'x',
  );
  t.same(manifest.database, { shares: ['sites'], reads: { accounts: ['subscriptions', 'packages'] } });
  t.same(problems({ ...base, permissions: ['audit:read'] }), [], 'audit:read is a capability');
});

t.test('names that could reach beyond a schema, and unknown keys, are refused', async (t) => {
  for (const name of ['plugin_auth.sessions', 'Subscriptions', 'a"b', 'x;drop', 'nul\u0000', '', 'a'.repeat(64)]) {
    t.not(problems({ ...base, database: { shares: [name] } }), [], `share ${JSON.stringify(name)}`);
    t.not(problems({ ...base, database: { reads: { accounts: [name] } } }), [], `read ${JSON.stringify(name)}`);
  }
  t.not(problems({ ...base, database: { writes: { accounts: ['x'] } } }), [], 'no writes key');
  t.not(problems({ ...base, database: { reads: { 'Not-An-Id': ['x'] } } }), []);
});

t.test('reading a plugin it does not require is refused, prototype names included', async (t) => {
  t.match(problems({ ...base, database: { reads: { billing: ['invoices'] } } }), [/reads from a plugin it does not require/]);
  t.match(problems({ ...base, database: { reads: { constructor: ['x'] } } }), [/does not require/]);
});

t.test('a definition may not share or read more than its manifest says', async (t) => {
  const manifest = {
    ...base,
    version: '1.0.0',
    packageName: 'x',
    database: { shares: ['sites'], reads: { accounts: ['packages'] } },
  };
  const ok = definePlugin({ ...base, database: { shares: ['sites'], reads: { accounts: ['packages'] } } });
  t.doesNotThrow(() => checkDefinitionAgainstManifest(ok as never, { manifest }));
  const sharesMore = definePlugin({ ...base, database: { shares: ['sites', 'secrets'] } });
  t.throws(() => checkDefinitionAgainstManifest(sharesMore as never, { manifest }), { code: 'KERNEL_ERR_DEFINITION_INVALID' });
  const readsMore = definePlugin({ ...base, database: { reads: { accounts: ['subscriptions'] } } });
  t.throws(() => checkDefinitionAgainstManifest(readsMore as never, { manifest }), {
    code: 'KERNEL_ERR_DEFINITION_INVALID',
    message: /accounts\.subscriptions/,
  });
});
