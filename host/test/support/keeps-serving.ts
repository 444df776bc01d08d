/** The host's own answers while an isolated plugin misbehaves: the isolation tests' yardstick. */
import { definePlugin, Type } from '@hostplane/sdk';
import type { Test } from 'tap';
import type { TestHost } from '@hostplane/testing';

/** An in-process plugin whose route must keep answering while an isolated one misbehaves. */
export const bystander = definePlugin({
  id: 'bystander',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  setup(ctx) {
    ctx.routes((app) => {
      app.get(
        '/ping',
        { config: { public: true }, schema: { response: { 200: Type.Object({ pong: Type.Boolean() }) } } },
        async () => ({ pong: true }),
      );
    });
  },
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * GET /health and the in-process bystander's route until `done` settles; each must answer 200
 * within a second. Returns how many rounds were answered.
 */
export async function keepsServing(t: Test, host: TestHost, done: Promise<unknown>): Promise<number> {
  let settled = false;
  void done.finally(() => (settled = true));
  let rounds = 0;
  while (!settled) {
    const started = Date.now();
    const [health, ping] = await Promise.all([
      host.inject({ method: 'GET', url: '/health' }),
      host.inject({ method: 'GET', url: '/v1/bystander/ping' }),
    ]);
    const ms = Date.now() - started;
    if (health.statusCode !== 200 || ping.statusCode !== 200 || ms > 1000) {
      t.fail(`host stopped serving: health ${health.statusCode}, bystander ${ping.statusCode}, ${ms} ms`);
      return rounds;
    }
    rounds++;
    await wait(50);
  }
  return rounds;
}
