/**
 * Run between the tests and `tap report`: makes the coverage of TypeScript sources count.
 *
 * tap records coverage through the inspector, and tsx (the tests' TypeScript loader) writes
 * `sourcesContent: [null]` into its source maps unless NODE_V8_COVERAGE was set when it loaded.
 * v8-to-istanbul takes that lone null as the file's text, so every TypeScript file would count
 * as one line. Without `sourcesContent` it reads the sources from disk, as they are.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = join(process.cwd(), '.tap', 'coverage');
let fixed = 0;
for (const name of await readdir(dir).catch(() => [])) {
  if (!name.endsWith('.json')) continue;
  const file = join(dir, name);
  const coverage = JSON.parse(await readFile(file, 'utf8'));
  let changed = false;
  for (const entry of Object.values(coverage['source-map-cache'] ?? {})) {
    const map = entry?.data;
    if (Array.isArray(map?.sourcesContent) && map.sourcesContent.every((text) => text == null)) {
      delete map.sourcesContent;
      changed = true;
    }
  }
  if (changed) {
    await writeFile(file, JSON.stringify(coverage));
    fixed += 1;
  }
}
console.log(`coverage-sources: ${fixed} coverage files read their sources from disk`);
