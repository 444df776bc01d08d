/**
 * The hostile-plugin suite, part 2 (issue 11): plugins that run away with the CPU or memory, or
 * never finish starting. Each is cut off or contained while /health and another plugin's route
 * answer throughout.
 */
import { existsSync } from 'node:fs';
import t from 'tap';
import { until } from './support/cli.js';
import { HOST_ENTRY, startHostileHost, type HostilePlugin } from './support/hostile.js';

const runaways: HostilePlugin[] = [
  {
    id: 'hostile-busy',
    permissions: ['http:routes'],
    definition: `rbac: { 'hostile-busy.loop.spin': { description: 'Spin', roles: [] } },
  setup(ctx) { ctx.routes((app) => { app.get('/spin', { config: { permission: 'hostile-busy.loop.spin' } }, async () => { const end = Date.now() + 10_000; while (Date.now() < end); return { spun: true }; }); }); }`,
  },
  {
    id: 'hostile-memory',
    permissions: ['http:routes'],
    definition: `rbac: { 'hostile-memory.heap.grow': { description: 'Grow', roles: [] } },
  setup(ctx) { ctx.routes((app) => { app.get('/grow', { config: { permission: 'hostile-memory.heap.grow' } }, async () => { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(hoard.length)); }); }); }`,
  },
  { id: 'hostile-never-starts', permissions: [], definition: `start() { return new Promise(() => {}); }` },
];

t.test(
  'runaway plugins are cut off while the host keeps serving',
  { skip: existsSync(HOST_ENTRY) ? false : 'host/dist is not built: run `npm run build` (npm test does)' },
  async (t) => {
    const host = await startHostileHost(t, () => runaways, { HOSTPLANE_PLUGIN_START_TIMEOUT_MS: '3000' });
    const { failures, polls } = await host.watch(async () => {
      // A route busy for 10 s: the call is cut off, the plugin comes back.
      t.equal((await host.enable('hostile-busy')).status, 200);
      const spin = await host.call('GET', '/v1/hostile-busy/spin');
      t.equal(spin.status, 503, `a 10 s busy loop is cut off (${JSON.stringify(spin.body)})`);
      t.match(spin.body, { error: { code: 'KERNEL_ERR_PLUGIN_UNAVAILABLE' } });
      await until('hostile-busy to run again', async () =>
        (await host.stateOf('hostile-busy'))?.state === 'started' ? true : undefined,
      );

      // Memory without bound: the plugin's process dies of it, the host does not.
      t.equal((await host.enable('hostile-memory')).status, 200);
      const grow = await host.call('GET', '/v1/hostile-memory/grow');
      t.equal(grow.status, 503, `unbounded memory kills only the plugin (${JSON.stringify(grow.body)})`);
      // The request fails the moment the process dies; the health follows once the host has
      // noticed the exit (a moment later on a loaded machine).
      t.match(
        await until('hostile-memory shown degraded', async () => {
          const body = (await host.call('GET', '/v1/plugins/hostile-memory')).body as { health?: { state?: string } | null };
          return body.health?.state === 'degraded' ? body : undefined;
        }),
        { health: { state: 'degraded' } },
        'and it is shown degraded',
      );

      // A start that never resolves: failed in its phase, within the limit.
      await host.enable('hostile-never-starts');
      t.match(await host.stateOf('hostile-never-starts'), { state: 'failed', error: { phase: 'start' } });
    });
    t.ok(polls > 20, `the host was watched throughout (${polls} requests)`);
    t.same(failures, [], '/health and the bystander answered every request while plugins ran away');
    const { code, stderr } = await host.stop();
    t.equal(code, 0, `graceful exit (stderr: ${stderr.slice(0, 500)})`);
  },
);
