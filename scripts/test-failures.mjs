// After a failed `npm test`: print each failing test file's `not ok` lines with their diagnostics,
// last, so that a log read from its tail (CI keeps only the end) still names what failed.
// `clear` empties tap's per-file results first, so only this run's files are read.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const RESULTS = '.tap/test-results';
const MAX_LINES_PER_FAILURE = 40;
const MAX_LINES = 400;

if (process.argv[2] === 'clear') {
  rmSync(RESULTS, { recursive: true, force: true });
  process.exit(0);
}

/** Every `.tap` file under `dir`. */
function tapFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tapFiles(full) : e.name.endsWith('.tap') ? [full] : [];
  });
}

/** The `not ok` lines of one file's TAP, each with the indented YAML block that follows it. */
function failures(text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i += 1) {
    const m = /^(\s*)not ok /.exec(lines[i]);
    if (!m || /# (TODO|SKIP)/i.test(lines[i])) continue;
    const block = [lines[i]];
    // A failed subtest (`# time=`) says where; its failing assertions above it say what.
    if (/ # time=/.test(lines[i])) {
      out.push(lines[i]);
      continue;
    }
    const indent = m[1].length;
    for (let j = i + 1; j < lines.length && block.length < MAX_LINES_PER_FAILURE; j += 1) {
      const next = lines[j];
      const depth = next.length - next.trimStart().length;
      if (next.trim() === '' || depth <= indent) break;
      block.push(next);
      if (next.trim() === '...') break;
    }
    out.push(block.join('\n'));
  }
  return out;
}

const report = [];
for (const file of tapFiles(RESULTS).sort()) {
  const found = failures(readFileSync(file, 'utf8'));
  if (found.length) report.push(`## ${path.relative(RESULTS, file).replace(/\.tap$/, '')}`, ...found);
}
const lines = report.join('\n').split('\n');
console.log('\n# Failed tests (tap results of this run):');
console.log(report.length ? lines.slice(0, MAX_LINES).join('\n') : '# none recorded: see the output above');
if (lines.length > MAX_LINES) console.log(`# … ${lines.length - MAX_LINES} more lines in ${RESULTS}`);
