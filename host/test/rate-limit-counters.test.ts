/**
 * The shared counters on their own (rate-limit-shared.test.ts runs them in two host processes):
 * windows timed by the database, slots given back only within their window, keys over their
 * limit refused without a round trip, and counting in memory while the database is away.
 */
import { tmpdir } from 'node:os';
import { createTestDatabase, migrateCore, openDatabase } from '@hostplane/core';
import type { Knex } from 'knex';
import pino from 'pino';
import t from 'tap';
import { PostgresCounters } from '../src/server/rate-limit-counters.js';

const db = await createTestDatabase();
const database = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 2 });
await migrateCore(database.knex, 'latest');
t.teardown(async () => {
  await database.close();
  await db.drop();
});
const { knex } = database;
const logLines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) });

/** `knex` whose pool counts the connections taken: one per statement the counters send. */
function countingStatements(count: () => void): Knex {
  const pool = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
  const client = {
    acquireConnection: () => (count(), pool.acquireConnection()),
    releaseConnection: (c: unknown) => pool.releaseConnection(c),
  };
  return { client, raw: knex.raw.bind(knex) } as unknown as Knex;
}

function counters(t: { teardown(fn: () => void): void }, on = knex): PostgresCounters {
  const made = new PostgresCounters(on, logger);
  t.teardown(() => made.close());
  return made;
}

t.test('hits count up within a window and start again after it', async (t) => {
  const c = counters(t);
  t.same((await c.hit('w', 300, 10)).count, 1);
  const second = await c.hit('w', 300, 10);
  t.equal(second.count, 2);
  t.ok(second.ttlMs > 0 && second.ttlMs <= 300, `ttl ${second.ttlMs} ms is within the window`);
  await new Promise((r) => setTimeout(r, 350));
  t.equal((await c.hit('w', 300, 10)).count, 1, 'a new window');
});

t.test('take gives at most max slots; a give-back frees one, but not in the next window', async (t) => {
  const c = counters(t);
  const slots = await Promise.all(Array.from({ length: 5 }, () => c.take('t', 3, 400)));
  t.equal(slots.filter((s) => s.taken).length, 3, 'three of five at once');
  const refused = slots.find((s) => !s.taken)!;
  t.ok(!refused.taken && refused.ttlMs > 0, 'the refused learn how long to wait');

  // A second host's view: it has not refused this key from memory yet.
  const other = counters(t);
  c.giveBack(slots.find((s) => s.taken)!);
  await new Promise((r) => setTimeout(r, 50));
  t.ok((await other.take('t', 3, 400)).taken, 'the slot given back is taken on another host');
  t.notOk((await other.take('t', 3, 400)).taken, 'and then the budget is spent again');

  const stale = (await counters(t).take('t2', 1, 100)) as { taken: true; key: string; token: number };
  await new Promise((r) => setTimeout(r, 150));
  const fresh = await other.take('t2', 1, 5000);
  t.ok(fresh.taken, 'a new window');
  other.giveBack(stale);
  await new Promise((r) => setTimeout(r, 50));
  t.notOk((await counters(t).take('t2', 1, 5000)).taken, "a late give-back does not free the new window's slot");
});

t.test('a key over its limit is refused from memory, without a statement', async (t) => {
  let statements = 0;
  const counting = countingStatements(() => (statements += 1));
  const c = counters(t, counting);
  const counts: number[] = [];
  for (let i = 0; i < 53; i += 1) counts.push((await c.hit('flood', 60_000, 2)).count);
  t.same(counts, [1, 2, 3, ...Array<number>(50).fill(3)], 'the 3rd is over, and so are the 50 after it');
  t.equal(statements, 3, 'the database saw only the first three');
});

t.test('hits on one key at once share statements, and each gets a count of its own', async (t) => {
  let statements = 0;
  const counting = countingStatements(() => (statements += 1));
  const c = counters(t, counting);
  const counts = (await Promise.all(Array.from({ length: 40 }, () => c.hit('busy', 60_000, 1000)))).map((w) => w.count);
  t.same(
    [...counts].sort((x, y) => x - y),
    Array.from({ length: 40 }, (_, i) => i + 1),
    'counts 1 to 40, none twice',
  );
  t.ok(statements <= 3, `40 hits took ${statements} statements`);
  t.equal((await counters(t).hit('busy', 60_000, 1000)).count, 41, 'the database holds all 40');

  const over = await Promise.all(Array.from({ length: 10 }, () => c.hit('busy2', 60_000, 2)));
  t.equal(over.filter((w) => w.count > 2).length, 8, 'eight of ten over a limit of two');
  const before = statements;
  t.equal((await c.hit('busy2', 60_000, 2)).count, 3, 'the next one is over too');
  t.equal(statements, before, 'and answered from memory');
});

t.test('while the database is away, counting goes on in memory and the log says so once', async (t) => {
  const lost = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 1 });
  const c = counters(t, lost.knex);
  await lost.close();
  logLines.length = 0;
  t.equal((await c.hit('away', 60_000, 2)).count, 1);
  t.equal((await c.hit('away', 60_000, 2)).count, 2);
  t.equal((await c.hit('away', 60_000, 2)).count, 3, 'over the limit, counted here');
  t.equal(logLines.length, 1, 'one warning, not one per request');
  t.match(logLines[0], /shared rate-limit counters unavailable/);
});
