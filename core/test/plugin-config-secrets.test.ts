/** Secrets in a plugin's config are masked and kept at any depth (websites' `wordpress.databasePassword`). */
import t from 'tap';
import { Secret, Type } from '@hostplane/sdk';
import { SECRET_MASK, maskSecrets, mergeMaskedSecrets } from '../src/registry/plugin-config.js';

const schema = Type.Object({
  apiKey: Secret(Type.String({ default: '' })),
  wordpress: Type.Object({ host: Type.String(), password: Secret(Type.String({ default: '' })) }, { default: {} }),
});

t.test('a nested secret is masked when shown', async (t) => {
  const shown = maskSecrets(schema, { apiKey: 'k', wordpress: { host: 'db', password: 'hunter2' } });
  t.same(shown, { apiKey: SECRET_MASK, wordpress: { host: 'db', password: SECRET_MASK } });
});

t.test('a nested mask sent back keeps the stored secret; a new value replaces it', async (t) => {
  const stored = { apiKey: 'k', wordpress: { host: 'db', password: 'hunter2' } };
  t.same(mergeMaskedSecrets(schema, { apiKey: SECRET_MASK, wordpress: { host: 'db2', password: SECRET_MASK } }, stored), {
    apiKey: 'k',
    wordpress: { host: 'db2', password: 'hunter2' },
  });
  t.same(mergeMaskedSecrets(schema, { wordpress: { host: 'db', password: 'new' } }, stored), {
    wordpress: { host: 'db', password: 'new' },
  });
});
