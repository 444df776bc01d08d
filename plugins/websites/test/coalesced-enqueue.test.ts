import t from 'tap';
import { CoalescedEnqueue } from '../src/coalesced-enqueue.js';

/** An enqueue whose calls finish when the test says so. */
function controlled() {
  const calls: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const enqueue = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, queue: new CoalescedEnqueue(enqueue) };
}
const tick = () => new Promise((r) => setImmediate(r));

t.test('a lone request enqueues once', async (t) => {
  const { calls, queue } = controlled();
  const done = queue.request();
  t.equal(calls.length, 1);
  calls[0]!.resolve();
  await done;
  t.equal(calls.length, 1);
});

t.test('requests arriving while one is in flight share one follow-up, issued after it', async (t) => {
  const { calls, queue } = controlled();
  const first = queue.request();
  let settled = 0;
  const burst = Array.from({ length: 10 }, () => queue.request().then(() => void (settled += 1)));
  t.equal(calls.length, 1, 'nothing more is sent while the first is in flight');
  calls[0]!.resolve();
  await first;
  await tick();
  t.equal(calls.length, 2, 'one follow-up for the whole burst');
  t.equal(settled, 0, 'the burst waits for the follow-up, which was issued after their commits');
  calls[1]!.resolve();
  await Promise.all(burst);
  t.equal(settled, 10);
  const later = queue.request();
  t.equal(calls.length, 3, 'a request after everything settled starts anew');
  calls[2]!.resolve();
  await later;
});

t.test('a failed enqueue rejects its waiters; the next request tries again', async (t) => {
  const { calls, queue } = controlled();
  const first = queue.request();
  const waiting = queue.request();
  calls[0]!.reject(new Error('database gone'));
  await t.rejects(first, /database gone/);
  await tick();
  t.equal(calls.length, 2, 'the follow-up is still sent after a failure');
  calls[1]!.reject(new Error('still gone'));
  await t.rejects(waiting, /still gone/);
  const next = queue.request();
  calls[2]!.resolve();
  await next;
  t.equal(calls.length, 3);
});
