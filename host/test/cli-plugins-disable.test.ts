/** `hostplane plugins disable`: what the panel and API refuse, whoever runs the host can force. */
import t from 'tap';
import { createTestDatabase } from '@hostplane/core';
import { cli } from './support/cli.js';

t.test('the last sign-in plugin is disabled only with --force; --force also stops what requires a plugin', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const env = { DATABASE_URL: db.url, HOSTPLANE_LOG_LEVEL: 'error' };
  for (const id of ['auth', 'accounts', 'websites']) t.match(await cli(['plugins', 'enable', id], env), { code: 0 });

  t.match(await cli(['plugins', 'disable', 'auth'], env), { code: 1, err: /KERNEL_ERR_LAST_SIGN_IN_PROVIDER.*--force/ });
  t.match(await cli(['plugins', 'enable', 'auth', '--force'], env), { code: 2, err: /--force is for disable/ });
  t.match(await cli(['plugins', 'disable', 'auth', '--force'], env), {
    code: 0,
    out: /auth disabled.*\n.*nobody can sign in/,
  });

  t.match(await cli(['plugins', 'disable', 'accounts'], env), { code: 1, err: /KERNEL_ERR_DEPENDENTS_ENABLED.*"websites"/ });
  t.match(await cli(['plugins', 'disable', 'accounts', '--force'], env), { code: 0, out: /also disabled: websites/ });
  const list = JSON.parse((await cli(['plugins', 'list', '--json'], env)).out) as Array<{ id: string; enabled: boolean }>;
  t.same(
    list.filter((p) => ['auth', 'accounts', 'websites'].includes(p.id)).map((p) => [p.id, p.enabled]),
    [
      ['accounts', false],
      ['auth', false],
      ['websites', false],
    ],
  );
});
