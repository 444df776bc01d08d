/**
 * The Redis counters against a real Redis: windows, slots taken and given back across two
 * hosts' counters, keys over their limit refused without a call, and counting in memory while
 * Redis is away. (rate-limit-shared.test.ts runs them in two host processes.)
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import t from 'tap';
import { RedisCounters } from '../src/server/rate-limit-redis.js';
import { REDIS_URL, redisMissing } from './support/redis.js';

const skip = await redisMissing();
const logLines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) });
// Keys of their own, so runs sharing the Redis never meet.
const run = randomUUID();

async function counters(t: { teardown(fn: () => void): void }, url = REDIS_URL): Promise<RedisCounters> {
  const made = new RedisCounters(url, logger);
  t.teardown(() => made.close());
  return made.connect();
}

t.test('hits count up within a window and start again after it', { skip }, async (t) => {
  const c = await counters(t);
  t.equal((await c.hit(`${run}:w`, 300, 10)).count, 1);
  const second = await c.hit(`${run}:w`, 300, 10);
  t.equal(second.count, 2);
  t.ok(second.ttlMs > 0 && second.ttlMs <= 300, `ttl ${second.ttlMs} ms is within the window`);
  await new Promise((r) => setTimeout(r, 350));
  t.equal((await c.hit(`${run}:w`, 300, 10)).count, 1, 'a new window');
});

t.test('take gives at most max slots; a give-back frees one, but not in the next window', { skip }, async (t) => {
  const c = await counters(t);
  const slots = await Promise.all(Array.from({ length: 5 }, () => c.take(`${run}:t`, 3, 2000)));
  t.equal(slots.filter((s) => s.taken).length, 3, 'three of five at once');
  const other = await counters(t);
  c.giveBack(slots.find((s) => s.taken)!);
  await new Promise((r) => setTimeout(r, 50));
  t.ok((await other.take(`${run}:t`, 3, 2000)).taken, 'the slot given back is taken on another host');
  t.notOk((await other.take(`${run}:t`, 3, 2000)).taken, 'and then the budget is spent again');

  const stale = await (await counters(t)).take(`${run}:t2`, 1, 100);
  await new Promise((r) => setTimeout(r, 150));
  t.ok((await other.take(`${run}:t2`, 1, 5000)).taken, 'a new window');
  other.giveBack(stale);
  await new Promise((r) => setTimeout(r, 50));
  t.notOk((await (await counters(t)).take(`${run}:t2`, 1, 5000)).taken, "a late give-back does not free the new window's slot");
});

t.test('a key over its limit is refused from memory', { skip }, async (t) => {
  const c = await counters(t);
  for (let i = 0; i < 3; i += 1) await c.hit(`${run}:flood`, 60_000, 2);
  for (let i = 0; i < 20; i += 1) await c.hit(`${run}:flood`, 60_000, 2);
  const fresh = await counters(t);
  t.equal((await fresh.hit(`${run}:flood`, 60_000, 2)).count, 4, 'Redis saw 3 hits and this one, not the 20 between');
});

t.test('while Redis is away, counting goes on in memory and the log says so once', async (t) => {
  logLines.length = 0;
  const c = await counters(t, 'redis://127.0.0.1:1');
  const counts: number[] = [];
  for (let i = 0; i < 3; i += 1) counts.push((await c.hit('away', 60_000, 2)).count);
  t.same(counts, [1, 2, 3], 'counted here, over the limit at the third');
  t.equal(logLines.filter((l) => l.includes('shared rate-limit counters unavailable')).length, 1, 'one warning');
});
