/** Durable job handlers. */
import type { DatabaseService, JobHandler, TasksService } from '@hostplane/sdk';
import type { Greeting } from './greetings.js';
import type { BannerInput, BannerOutput } from './tasks/banner.js';

export function deliverGreeting(db: DatabaseService, tasks: TasksService): JobHandler<{ greetingId: string }> {
  return async (payload, job) => {
    const row = await db.table<Greeting>('greetings').where({ id: payload.greetingId }).first();
    if (!row) return; // deleted meanwhile: nothing to deliver
    await job.progress(0.2, 'drawing banner');
    const { banner } = await tasks.run<BannerInput, BannerOutput>('banner', { text: row.text });
    await db.table('greetings').where({ id: payload.greetingId }).update({ banner, delivered_at: new Date() });
    await job.progress(1, 'delivered');
  };
}

export function pruneGreetings(db: DatabaseService, keepDays: () => number): JobHandler<Record<string, never>> {
  return async (_payload, job) => {
    const cutoff = new Date(Date.now() - keepDays() * 86_400_000);
    const removed = await db.table('greetings').where('created_at', '<', cutoff).delete();
    job.logger.info({ removed }, 'pruned old greetings');
  };
}
