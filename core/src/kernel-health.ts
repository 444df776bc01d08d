/** The kernel's health as `/health` shows it: a database round trip and each plugin's state. */
import type { Knex } from 'knex';
import type { KernelHealth, PluginStatus } from './kernel-api.js';

export async function kernelHealth(knex: Knex, plugins: readonly PluginStatus[]): Promise<KernelHealth> {
  const started = performance.now();
  let database: KernelHealth['database'];
  try {
    await knex.raw('select 1');
    database = { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    database = { ok: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  }
  return {
    ok: database.ok,
    database,
    plugins: plugins.map((p) => ({
      id: p.id,
      state: p.state,
      error: p.state === 'failed' ? (p.error?.message ?? null) : null,
      health: p.state === 'started' ? p.health : null,
    })),
  };
}
