/**
 * Regenerate docs/schema.md: migrate a throwaway database, enable every first-party plugin
 * (their migrations run), and render the schema PostgreSQL then has (erd-render.ts).
 *
 * Run from the repository root: `npm run docs:erd`. Needs PostgreSQL (HOSTPLANE_TEST_DATABASE_URL).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { liveSchemaDoc } from './erd-live.js';

const OUTPUT = fileURLToPath(new URL('../../docs/schema.md', import.meta.url));

await writeFile(OUTPUT, await liveSchemaDoc());
process.stdout.write(`wrote ${OUTPUT}\n`);
