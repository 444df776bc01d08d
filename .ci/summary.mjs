// Print one plain closing line, "N passed, N failed", from tap's summary in the given log.
import { readFileSync } from 'node:fs';

const log = readFileSync(process.argv[2] ?? 'test-output.log', 'utf8');
// The last summary that counted tests: `tap report` (coverage, after the run) prints one of its own with none.
const match = [...log.matchAll(/#\s*\{\s*total:\s*(\d+),\s*pass:\s*(\d+)(?:,\s*fail:\s*(\d+))?(?:,\s*skip:\s*(\d+))?/g)]
  .filter((m) => Number(m[1]) > 0)
  .pop();
if (!match) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const [, total, pass, fail = '0', skip = '0'] = match;
console.log(`tests: ${pass} passed, ${fail} failed, ${skip} skipped`);
void total;
