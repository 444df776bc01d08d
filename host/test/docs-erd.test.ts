/**
 * docs/schema.md is the schema a fresh install has: regenerated from a live database (every
 * core migration, every first-party plugin started once) and compared with the file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { liveSchemaDoc } from '../scripts/erd-live.js';
import { REPO } from './support/cli.js';

t.test('docs/schema.md matches the live schema (else: npm run docs:erd)', async (t) => {
  const live = await liveSchemaDoc();
  const written = await readFile(join(REPO, 'docs/schema.md'), 'utf8');
  t.match(live, /plugin_websites__websites \{/, 'plugin schemas are in it');
  t.match(live, /hostplane__users \|\|--o\{ plugin_auth__sessions : "user_id"/, 'and the references between them');
  t.equal(written, live, 'docs/schema.md is current: run `npm run docs:erd` and commit it');
});
