/**
 * The live log's frames (services/log-stream.ts) against a real PostgreSQL row, step by step:
 * each poll applies the next write a runner would make, so every case is exact. New text comes
 * as `append` (offsets in PostgreSQL's characters, so text beyond the BMP does not shift them), a
 * log cut at its start (`logLimitBytes`) or started over comes whole as a new `snapshot`, the
 * step as `status`, and the stream ends with `end`.
 */
import t from 'tap';
import knexFactory from 'knex';
import { logFrames } from '../src/services/log-stream.js';

const url = process.env.HOSTPLANE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const db = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
const schema = `hp_log_frames_${process.pid}`;
const table = `${schema}.deployments`;
const id = '00000000-0000-4000-8000-00000000abcd';
t.teardown(async () => {
  await db.raw('drop schema if exists ?? cascade', [schema]);
  await db.destroy();
});
await db.raw('create schema ??', [schema]);
await db.raw(
  `create table ?? (id uuid primary key, status text not null, phase text, progress real not null default 0,
     error text, log text not null default '', log_truncated boolean not null default false)`,
  [table],
);

type Row = Partial<{ status: string; phase: string | null; progress: number; log: string; log_truncated: boolean }>;

/** Frames of a stream whose every poll first applies the next of `writes`. */
async function framesFor(start: Row, writes: Row[]): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  await db(table).delete();
  await db(table).insert({ id, status: 'running', ...start });
  const pending = [...writes];
  const out: Array<{ event: string; data: Record<string, unknown> }> = [];
  const frames = logFrames({
    db,
    table,
    deploymentId: id,
    maxMs: 60_000,
    heartbeatMs: 3_600_000,
    sleep: async () => {
      const next = pending.shift();
      if (next && Object.keys(next).length > 0) await db(table).where({ id }).update(next);
    },
  });
  for await (const f of frames) {
    const m = /^event: (\w+)\ndata: (.*)\n\n$/s.exec(f);
    if (m) out.push({ event: m[1]!, data: JSON.parse(m[2]!) as Record<string, unknown> });
    if (out.length > 20) break;
  }
  return out;
}

await t.test('new text is appended, steps are announced, the end closes the stream', async (t) => {
  const frames = await framesFor({ log: 'cloning 😀\n', phase: 'cloning' }, [
    { log: 'cloning 😀\nbuilding é\n' },
    { phase: 'building', progress: 0.4 },
    { log: 'cloning 😀\nbuilding é\n😀 done\n', status: 'succeeded', phase: 'done', progress: 1 },
  ]);
  t.same(
    frames.map((f) => f.event),
    ['snapshot', 'append', 'status', 'append', 'end'],
  );
  t.equal(frames[0]!.data.text, 'cloning 😀\n');
  t.equal(frames[1]!.data.text, 'building é\n', 'the offset counts characters as PostgreSQL does');
  t.equal(frames[3]!.data.text, '😀 done\n');
  t.match(frames[2]!.data, { status: 'running', phase: 'building', progress: 0.4 });
  t.match(frames[4]!.data, { status: 'succeeded', phase: 'done' });
});

await t.test('a log cut at its start, or started over, comes whole again', async (t) => {
  const frames = await framesFor({ log: 'one\ntwo\n' }, [
    { log: 'two\nthree\n', log_truncated: true },
    // A poll that finds nothing new.
    {},
    { log: 'three\nfour\n', log_truncated: true },
    { log: 'retry\n', log_truncated: false },
    { log: 'retry\nok\n', status: 'failed' },
  ]);
  t.same(
    frames.map((f) => [f.event, f.data.text]),
    [
      ['snapshot', 'one\ntwo\n'],
      ['snapshot', 'two\nthree\n'],
      ['snapshot', 'three\nfour\n'],
      ['snapshot', 'retry\n'],
      ['append', 'ok\n'],
      ['end', undefined],
    ],
    'an unchanged cut log sends nothing',
  );
});

await t.test('a finished deployment is its snapshot and its end; a missing one is nothing', async (t) => {
  const frames = await framesFor({ log: 'all\n', status: 'skipped' }, []);
  t.same(
    frames.map((f) => f.event),
    ['snapshot', 'end'],
  );
  await db(table).delete();
  const none: string[] = [];
  for await (const f of logFrames({ db, table, deploymentId: id, maxMs: 1000 })) none.push(f);
  t.same(none, ['retry: 2000\n\n'], 'only the retry hint');
});
