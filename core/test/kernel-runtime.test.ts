import t from 'tap';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import {
  CommonErrors,
  coreServices,
  definePlugin,
  type DatabaseService,
  type EventsService,
  type JobsService,
} from '@hostplane/sdk';
import { bootKernel, sharedDatabase } from './support/kernel.js';

t.test('a plugin job enqueued inside a transaction runs once it commits, with progress', async (t) => {
  const ran = new EventEmitter();
  let jobs: JobsService | undefined;
  let db: DatabaseService | undefined;
  const worker = definePlugin({
    id: 'worker',
    sdk: '^0.1.0',
    permissions: ['jobs', 'db'],
    deps: { jobs: coreServices.jobs, db: coreServices.database },
    setup(ctx) {
      jobs = ctx.deps.jobs;
      db = ctx.deps.db;
      ctx.job<{ n: number }>('count', async (payload, job) => {
        await job.progress(0.5, 'half');
        ran.emit('ran', payload.n, job.name);
      });
    },
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: worker }], enable: ['worker'] });
  const rolledBack = db!.transaction(async (trx) => {
    await jobs!.enqueue('count', { n: 1 }, { trx });
    throw new Error('roll back');
  });
  await t.rejects(rolledBack, /roll back/);
  const seen = once(ran, 'ran');
  const { id } = await db!.transaction((trx) => jobs!.enqueue('count', { n: 2 }, { trx }));
  t.same(await seen, [2, 'worker:count']);
  t.ok(id);
  const all = await kernel.jobs.list();
  t.notOk(
    all.some((j) => j.state === 'waiting' && j.name === 'worker:count'),
    'the rolled-back job never existed',
  );
});

t.test('before hooks veto, after handlers run after commit and never on rollback', async (t) => {
  const delivered: string[] = [];
  let events: EventsService | undefined;
  let db: DatabaseService | undefined;
  const emitter = definePlugin({
    id: 'emitter',
    sdk: '^0.1.0',
    permissions: ['events:emit', 'db'],
    deps: { events: coreServices.events, db: coreServices.database },
    setup(ctx) {
      events = ctx.deps.events;
      db = ctx.deps.db;
    },
  });
  const listener = definePlugin({
    id: 'listener',
    sdk: '^0.1.0',
    permissions: ['events:subscribe'],
    setup(ctx) {
      ctx.before('user.created', (payload) => {
        if (payload.role === 'super_admin') throw CommonErrors.vetoed('user.created', 'no more admins');
      });
      ctx.on('user.created', (payload, meta) => {
        delivered.push(`${payload.userId}:${meta.source}`);
      });
      ctx.on('user.created', () => {
        throw new Error('listener bug');
      });
    },
  });
  const kernel = await bootKernel(t, {
    inlinePlugins: [{ definition: emitter }, { definition: listener }],
    enable: ['emitter', 'listener'],
  });
  await t.rejects(events!.guard('user.created', { userId: 'u1', role: 'super_admin', parentId: null }), {
    code: 'COMMON_ERR_VETOED',
  });
  await events!.guard('user.created', { userId: 'u1', role: 'customer', parentId: null });

  await t.rejects(
    db!.transaction(async (trx) => {
      await events!.emit('user.created', { userId: 'rolled-back', role: 'customer', parentId: null }, { trx });
      throw new Error('nope');
    }),
  );
  await db!.transaction(async (trx) => {
    await events!.emit('user.created', { userId: 'committed', role: 'customer', parentId: null }, { trx });
    t.same(delivered, [], 'nothing is delivered before the commit');
  });
  await kernel.events.idle();
  t.same(delivered, ['committed:emitter']);
  t.match(kernel.plugin('listener'), { state: 'started', error: { phase: 'event:user.created', message: 'listener bug' } });
});

t.test('a change made by another process (the CLI) is followed through NOTIFY', async (t) => {
  const db = await sharedDatabase(t);
  const followed = definePlugin({ id: 'followed', sdk: '^0.1.0' });
  const host = await bootKernel(t, { db, inlinePlugins: [{ definition: followed }] });
  const cli = await bootKernel(t, { db, inlinePlugins: [{ definition: followed }], mode: 'admin' });
  const changed = new Promise<void>((resolve) => host.onChange(resolve));
  await cli.enable('followed');
  t.equal(cli.plugin('followed')?.state, 'discovered', 'the CLI starts no plugin code');
  await changed;
  t.equal(host.plugin('followed')?.state, 'started');
  const disabled = new Promise<void>((resolve) => host.onChange(resolve));
  await cli.disable('followed');
  await disabled;
  t.equal(host.plugin('followed')?.state, 'disabled');
});

t.test('disabling a plugin stops its schedules and its jobs wait; enabling brings both back', async (t) => {
  const ran: string[] = [];
  let jobs: JobsService | undefined;
  const cron = definePlugin({
    id: 'cron',
    sdk: '^0.1.0',
    permissions: ['jobs', 'schedules'],
    deps: { jobs: coreServices.jobs },
    setup(ctx) {
      jobs = ctx.deps.jobs;
      ctx.job('tick', async () => {
        ran.push('tick');
      });
      // A tick that never falls inside the test: every minute fired now and then at a minute's turn.
      ctx.schedule('new-year', { cron: '0 0 1 1 *', job: 'tick' });
    },
  });
  const kernel = await bootKernel(t, { inlinePlugins: [{ definition: cron }], enable: ['cron'] });
  t.same(kernel.scheduler.names(), ['cron:new-year']);
  await kernel.disable('cron');
  t.same(kernel.scheduler.names(), [], 'no schedule while disabled');
  const { id } = await jobs!.enqueue('tick', {});
  await new Promise((r) => setTimeout(r, 300));
  t.same(ran, [], 'no worker takes the job of a disabled plugin');
  t.equal((await kernel.jobs.get(id))?.state, 'waiting');
  await kernel.enable('cron');
  t.same(kernel.scheduler.names(), ['cron:new-year']);
  for (let i = 0; i < 100 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(ran, ['tick'], 'the waiting job runs once the plugin is back');
});

t.test('a plugin with an invalid cron fails alone; other schedules keep running', async (t) => {
  const job = (id: string, cron: string) =>
    definePlugin({
      id,
      sdk: '^0.1.0',
      permissions: ['jobs', 'schedules'],
      setup(ctx) {
        ctx.job('tick', async () => {});
        ctx.schedule('s', { cron, job: 'tick' });
      },
    });
  const kernel = await bootKernel(t, {
    inlinePlugins: [{ definition: job('fine', '*/5 * * * *') }, { definition: job('broken', 'every tuesday') }],
    enable: ['fine', 'broken'],
  });
  t.match(kernel.plugin('broken'), { state: 'failed', error: { phase: 'schedules', message: /broken:s/ } });
  t.same(kernel.scheduler.names(), ['fine:s']);
});
