/**
 * The worker-pool tasks alone, on files made here: byte ranges of any size tile a log so every
 * line is counted once; bad lines are rejected, not fatal; a tree's disk use counts hard links
 * once and never follows a link; a search reads a bounded tail.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import parseAccessLog from '../src/tasks/parse-access-log.js';
import diskUsage from '../src/tasks/disk-usage.js';
import searchLog from '../src/tasks/search-log.js';
import { emptyAggregate, merge, pathOf, MAX_PATH, MAX_PATHS_PER_DAY, OTHER_PATH, addLine } from '../src/tasks/aggregate.js';
import { rangesOf } from '../src/services/traffic-meter.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-metering-'));
t.teardown(() => fs.rm(dir, { recursive: true, force: true }));

function record(i: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    t: `2026-12-05T0${i % 3}:1${i % 6}:00+00:00`,
    s: [200, 301, 404, 500, 201][i % 5],
    o: 100 + i,
    i: 10,
    m: 'GET',
    u: `/p${i % 7}?q=${'x'.repeat(i % 50)}`,
    h: 'a.test',
    a: '127.0.0.1',
    r: '',
    ua: 'ü"\\',
    d: 0.001,
    ...overrides,
  });
}

t.test('ranges of any size count every line exactly once', async (t) => {
  const lines = Array.from({ length: 3000 }, (_, i) => record(i));
  lines.splice(100, 0, 'not json', '{"t":"x"}', '{broken');
  const file = path.join(dir, 'access.log');
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  const { size } = await fs.stat(file);
  const whole = await parseAccessLog({ file, start: 0, end: size });
  t.equal(whole.lines, 3000);
  t.equal(whole.rejected, 3, 'lines that are not records are skipped and counted');
  const requests = Object.values(whole.hours).reduce((n, b) => n + b.requests, 0);
  t.equal(requests, 3000);
  const out = Object.values(whole.hours).reduce((n, b) => n + b.bytesOut, 0);
  t.equal(
    out,
    Array.from({ length: 3000 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0),
  );
  t.same(Object.keys(whole.hours).sort(), ['2026-12-05T00:00:00.000Z', '2026-12-05T01:00:00.000Z', '2026-12-05T02:00:00.000Z']);
  t.equal(whole.paths['2026-12-05']!['/p0']!.requests, Math.ceil(3000 / 7), 'query strings dropped');

  for (const rangeBytes of [997, 4096, 65_536, size - 1, size, size * 2]) {
    const parts = await Promise.all(rangesOf(file, size, rangeBytes).map((r) => parseAccessLog(r)));
    const merged = parts.reduce(merge, emptyAggregate());
    t.same(merged, whole, `ranges of ${rangeBytes} bytes`);
  }
});

t.test('ranges of a byte or a few tile a small file too', async (t) => {
  const file = path.join(dir, 'small.log');
  await fs.writeFile(file, `${Array.from({ length: 12 }, (_, i) => record(i)).join('\n')}\n`);
  const { size } = await fs.stat(file);
  const whole = await parseAccessLog({ file, start: 0, end: size });
  t.equal(whole.lines, 12);
  for (const rangeBytes of [1, 13, 100]) {
    const parts = await Promise.all(rangesOf(file, size, rangeBytes).map((r) => parseAccessLog(r)));
    t.same(parts.reduce(merge, emptyAggregate()), whole, `ranges of ${rangeBytes} bytes`);
  }
});

t.test('a file without a final newline, an empty file, a huge line', async (t) => {
  const file = path.join(dir, 'tail.log');
  await fs.writeFile(file, `${record(1)}\n${'y'.repeat(70_000)}\n${record(2)}`);
  const { size } = await fs.stat(file);
  const agg = await parseAccessLog({ file, start: 0, end: size });
  t.equal(agg.lines, 2);
  t.equal(agg.rejected, 1);
  const empty = path.join(dir, 'empty.log');
  await fs.writeFile(empty, '');
  t.same(await parseAccessLog({ file: empty, start: 0, end: 0 }), emptyAggregate());
});

t.test('paths are bounded: length and distinct paths per day', async (t) => {
  t.equal(pathOf('/a?b#c'), '/a');
  t.equal(pathOf('?x'), '/');
  t.equal(pathOf(`/${'z'.repeat(500)}`).length, MAX_PATH + 1);
  const agg = emptyAggregate();
  for (let i = 0; i < MAX_PATHS_PER_DAY + 50; i += 1) addLine(agg, record(0, { u: `/unique-${i}` }));
  const day = agg.paths['2026-12-05']!;
  t.equal(Object.keys(day).length, MAX_PATHS_PER_DAY + 1);
  t.equal(day[OTHER_PATH]!.requests, 50);
});

t.test('disk use: allocated blocks, hard links once, links not followed, a cap on entries', async (t) => {
  const root = path.join(dir, 'site');
  await fs.mkdir(path.join(root, 'public', 'deep'), { recursive: true });
  await fs.writeFile(path.join(root, 'public', 'a.bin'), Buffer.alloc(100_000, 1));
  await fs.link(path.join(root, 'public', 'a.bin'), path.join(root, 'public', 'deep', 'same.bin'));
  await fs.symlink('/usr', path.join(root, 'public', 'usr'));
  const u = await diskUsage({ root, opsPerSecond: 10_000, concurrency: 4, maxEntries: 1000 });
  t.equal(u.files, 2, 'the file (once) and the link');
  t.equal(u.dirs, 3);
  t.ok(u.bytes >= 100_000 && u.bytes < 200_000, `counted once (${u.bytes})`);
  t.notOk(u.truncated);
  t.ok(u.ops >= 6);
  const capped = await diskUsage({ root, opsPerSecond: 10_000, concurrency: 1, maxEntries: 2 });
  t.ok(capped.truncated);
  const missing = await diskUsage({ root: path.join(dir, 'none'), opsPerSecond: 10, concurrency: 1, maxEntries: 10 });
  t.match(missing, { bytes: 0, missing: true });
});

t.test('search: newest first, filters, a bounded read', async (t) => {
  const older = path.join(dir, 'access.log.1');
  const newer = path.join(dir, 'access.log.2');
  await fs.writeFile(older, `${record(0, { u: '/old' })}\n${record(2, { u: '/old-missing' })}\n`);
  await fs.writeFile(newer, `${record(0, { u: '/new' })}\n${record(2, { u: '/new-missing' })}\n`);
  const files = [
    { file: newer, kind: 'access' as const },
    { file: older, kind: 'access' as const },
  ];
  const all = await searchLog({ files, query: '', statusFrom: null, statusTo: null, limit: 10, maxBytes: 1 << 20 });
  t.same(
    all.lines.map((l) => JSON.parse(l.line).u),
    ['/new-missing', '/new', '/old-missing', '/old'],
  );
  const notFound = await searchLog({ files, query: 'MISSING', statusFrom: 400, statusTo: 500, limit: 10, maxBytes: 1 << 20 });
  t.equal(notFound.lines.length, 2);
  const bounded = await searchLog({ files, query: '', statusFrom: null, statusTo: null, limit: 10, maxBytes: 300 });
  t.ok(bounded.partial);
  t.ok(bounded.bytesRead <= 300);
});
