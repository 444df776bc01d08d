/** Durable job handlers. */
import type { DatabaseService, JobHandler, MailerService, TasksService, UsersService } from '@hostplane/sdk';
import type { Greeting } from './greetings.js';
import { bannerReadyMail } from './mails.js';
import type { BannerInput, BannerOutput } from './tasks/banner.js';

export interface DeliveryDeps {
  db: DatabaseService;
  tasks: TasksService;
  users: UsersService;
  mailer: MailerService;
}

export function deliverGreeting({ db, tasks, users, mailer }: DeliveryDeps): JobHandler<{ greetingId: string }> {
  return async (payload, job) => {
    const row = await db.table<Greeting>('greetings').where({ id: payload.greetingId }).first();
    if (!row) return; // deleted meanwhile: nothing to deliver
    await job.progress(0.2, 'drawing banner');
    const { banner } = await tasks.run<BannerInput, BannerOutput>('banner', { text: row.text });
    const owner = row.created_by ? await users.get(row.created_by) : undefined;
    // In one transaction: a retried job neither mails twice nor mails a banner it did not store.
    await db.transaction(async (trx) => {
      await db.table('greetings', trx).where({ id: payload.greetingId }).update({ banner, delivered_at: new Date() });
      if (owner) {
        await mailer.sendTemplate(
          bannerReadyMail,
          { to: owner.email, recipientId: owner.id, variables: { text: row.text, banner } },
          { trx },
        );
      }
    });
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
