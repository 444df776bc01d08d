/**
 * Run every benchmark in its own process, one after another (they would skew each other if run
 * together on two cores), and print each one's closing JSON line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('./', import.meta.url));
const names =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : [
        'gateway',
        'jobs',
        'tasks',
        'boot',
        'auth',
        'websites',
        'websites-create',
        'users-search',
        'panel',
        'isolation',
        'rate-limit',
        'dns',
        'billing-webhooks',
        'billing-run',
        'invoice-pdf',
        'log-aggregation',
        'metering-disk',
        'file-listing',
        'databases-burst',
        'sftp-upload',
        'backups',
      ];
const results: unknown[] = [];
for (const name of names) {
  const file = `${here}${name}.ts`;
  if (!existsSync(file)) {
    console.log(`skip ${name}: no ${file}`);
    continue;
  }
  console.log(`\n== ${name} ==`);
  const run = spawnSync(process.execPath, ['--conditions=@hostplane/source', '--import', 'tsx', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(run.stdout);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    results.push(JSON.parse(last));
  } catch {
    results.push({ bench: name, error: `exit ${run.status}` });
  }
}
console.log('\n== summary ==');
for (const r of results) console.log(JSON.stringify(r));
