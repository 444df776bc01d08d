/**
 * hello: a plugin written only against the public SDK, showing each extension point: a route,
 * a config value, an event handler, a before-hook, a cron schedule, a durable job, a worker task,
 * a mail template and a panel page.
 */
import { CommonErrors, coreServices, definePlugin } from '@hostplane/sdk';
import { HelloConfig } from './config.js';
import { deliverGreeting, pruneGreetings } from './jobs.js';
import { bannerReadyMail } from './mails.js';
import { helloRoutes, NewGreetingSchema } from './routes.js';
import './events.js';

export default definePlugin({
  id: 'hello',
  sdk: '^0.1.0',
  config: HelloConfig,
  permissions: ['http:routes', 'db', 'events:subscribe', 'events:emit', 'jobs', 'schedules', 'tasks', 'users', 'mailer'],
  rbac: {
    'hello.greeting.read': { description: 'Read greetings', roles: ['reseller', 'customer', 'technical_user'] },
    'hello.greeting.write': { description: 'Store greetings', roles: ['reseller', 'customer'] },
  },
  deps: {
    db: coreServices.database,
    jobs: coreServices.jobs,
    events: coreServices.events,
    tasks: coreServices.tasks,
    users: coreServices.users,
    mailer: coreServices.mailer,
  },
  migrations: new URL('../migrations/', import.meta.url),
  mails: [bannerReadyMail],
  setup(ctx) {
    const { db, jobs, events, tasks, users, mailer } = ctx.deps;
    ctx.routes(helloRoutes({ db, jobs, events }, () => ctx.config.greeting));
    ctx.before('greeting.created', (payload) => {
      if (payload.name.trim().toLowerCase() === 'nobody')
        throw CommonErrors.vetoed('greeting.created', 'nobody cannot be greeted');
    });
    ctx.on('user.created', async (payload) => {
      ctx.logger.info({ userId: payload.userId }, 'a new user to greet');
    });
    ctx.job('deliver-greeting', deliverGreeting({ db, tasks, users, mailer }), { maxAttempts: 3 });
    ctx.job(
      'prune-greetings',
      pruneGreetings(db, () => ctx.config.keepDays),
    );
    ctx.schedule('prune', { cron: '17 * * * *', job: 'prune-greetings' });
    ctx.task('banner', new URL('./tasks/banner.js', import.meta.url));
    ctx.page({
      id: 'greetings',
      title: 'Greetings',
      nav: { label: 'Greetings', section: 'main' },
      permission: 'hello.greeting.read',
      sections: [
        { kind: 'text', text: 'Greetings stored by the hello plugin. A job draws each banner.' },
        {
          kind: 'table',
          source: '/hello/greetings',
          columns: [
            { field: 'name', label: 'Name' },
            { field: 'text', label: 'Greeting' },
            { field: 'createdAt', label: 'Created', format: 'date' },
            { field: 'deliveredAt', label: 'Delivered', format: 'date' },
          ],
          empty: 'No greetings yet: add one with the form below.',
        },
        {
          kind: 'form',
          title: 'New greeting',
          schema: NewGreetingSchema,
          submit: { method: 'POST', route: '/hello/greetings', label: 'Greet' },
        },
      ],
    });
  },
});
