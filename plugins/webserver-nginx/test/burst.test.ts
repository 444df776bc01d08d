/**
 * Coalesced reloads: a burst of applies shares check + reload cycles, and each apply resolves
 * only after a reload that includes it (its site answers as soon as its promise resolves).
 */
import { promises as fs } from 'node:fs';
import t from 'tap';
import { fileDriver, get, site, systemMissing, uniqueName } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  // The current user owns everything: 100 useradds would measure /etc/passwd, not the batching.
  const { driver, root, port } = await fileDriver(t, { siteUsers: 'current' });
  t.equal((await driver.start()).state, 'ready');

  t.test('100 concurrent applies cause a handful of reloads', async (t) => {
    const names = Array.from({ length: 100 }, () => uniqueName('burst'));
    const before = (await driver.status()).reloads;
    const started = Date.now();
    const latencies: number[] = [];
    await Promise.all(
      names.map(async (n) => {
        const s = Date.now();
        await driver.apply(site(n));
        latencies.push(Date.now() - s);
        // Resolved means loaded: the site answers right away.
        const res = await get(port, `${n}.example.test`);
        if (res.status !== 200) t.fail(`${n} answered ${res.status} right after apply`);
      }),
    );
    const reloads = (await driver.status()).reloads - before;
    t.ok(reloads >= 1 && reloads <= 5, `${reloads} reload(s) for 100 applies`);
    t.comment(
      `100 simultaneous applies: ${reloads} reload(s), ${Date.now() - started} ms, max latency ${Math.max(...latencies)} ms`,
    );
  });

  t.test('applies arriving over time while reloads run are batched too', async (t) => {
    const names = Array.from({ length: 100 }, () => uniqueName('trickle'));
    const before = (await driver.status()).reloads;
    const started = Date.now();
    // One apply every 3 ms: ~300 ms of arrivals, several reload cycles long.
    await Promise.all(
      names.map(async (n, i) => {
        await new Promise((r) => setTimeout(r, i * 3));
        await driver.apply(site(n));
      }),
    );
    const reloads = (await driver.status()).reloads - before;
    t.ok(reloads >= 2 && reloads <= 20, `${reloads} reloads for 100 applies spread over 300 ms`);
    t.comment(`100 staggered applies: ${reloads} reloads in ${Date.now() - started} ms`);
    for (const n of [names[0], names[50], names[99]] as string[]) t.equal((await get(port, `${n}.example.test`)).status, 200);
  });

  t.test('removes are batched the same way', async (t) => {
    const names = (await fs.readdir(`${root}/sites`)).filter((n) => n.startsWith('burst-'));
    const before = (await driver.status()).reloads;
    await Promise.all(names.map((n) => driver.remove({ id: '', name: n })));
    const reloads = (await driver.status()).reloads - before;
    t.ok(reloads <= 5, `${reloads} reload(s) for ${names.length} removes`);
    t.equal((await get(port, `${names[0]}.example.test`)).status, 404);
  });
}
