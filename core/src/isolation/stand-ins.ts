/**
 * What an isolated plugin registered in its own process, registered again in the kernel as
 * stand-ins: routes that forward to its socket, event handlers, jobs and commands that call into
 * the process, services and extension implementations whose every method is such a call. The
 * engines and the gateway see an ordinary plugin.
 */
import { createExtensionPoint, createServiceRef, type CommandIO, type JobContext, type SetupContext } from '@hostplane/sdk';
import { decodeSymbols } from './child/codec.js';
import type { RegistrationsDescriptor } from './child/protocol.js';
import { proxyRegistrar, type RouteTarget } from './route-proxy.js';

type AnyContext = SetupContext<Record<string, unknown>, Record<string, unknown>>;

/** How the stand-ins reach the plugin's process. */
export interface StandInBridge {
  pluginId: string;
  /** Where its routes are forwarded. */
  route: RouteTarget;
  /** A call into the process, bounded by `timeoutMs` (0: the caller's own bound). */
  call<T>(method: string, params: unknown, timeoutMs: number): Promise<T>;
  /** Jobs being run in the process, by id (their progress reports come back through these). */
  jobs: Map<string, JobContext>;
  /** Commands being run in the process, by token (their output comes back through these). */
  commandIO: Map<number, CommandIO>;
}

let ioToken = 1;

/** Register `reg`'s stand-ins on `ctx`. */
export function replayRegistrations(ctx: AnyContext, reg: RegistrationsDescriptor, bridge: StandInBridge): void {
  const { pluginId, call } = bridge;
  for (const { prefix, routes } of reg.routes) ctx.routes(proxyRegistrar(prefix, routes, bridge.route), { prefix });
  for (const { event, index } of reg.before) {
    // The event bus bounds each call with its handler limit (and names the event when it does).
    ctx.before(event as never, (payload) => call('event.before', { index, payload }, 0));
  }
  for (const { event, index } of reg.after) {
    ctx.on(event as never, (payload) => call('event.after', { index, payload }, 0));
  }
  for (const { name, maxAttempts } of reg.jobs) {
    ctx.job(
      name,
      async (payload, job) => {
        bridge.jobs.set(job.id, job);
        try {
          await call(
            'job.run',
            {
              name: `${pluginId}:${name}`,
              payload,
              job: { id: job.id, name: job.name, attempt: job.attempt, maxAttempts: job.maxAttempts },
            },
            0,
          );
        } finally {
          bridge.jobs.delete(job.id);
        }
      },
      { maxAttempts },
    );
  }
  for (const schedule of reg.schedules) {
    const { name, ...definition } = schedule;
    ctx.schedule(name, definition);
  }
  for (const page of reg.pages) ctx.page(decodeSymbols(page));
  // Services and extension implementations: every method is a call into the process (so a
  // method that is synchronous there answers a promise here), bounded like a route.
  const timeout = bridge.route.timeoutMs;
  for (const id of reg.services) {
    const stub = new Proxy(Object.create(null) as object, {
      get: (_target, method) =>
        typeof method === 'string' && method !== 'then'
          ? (...args: unknown[]) => call('service.call', { id, method, args }, timeout)
          : undefined,
    });
    ctx.provide(createServiceRef(id), () => stub);
  }
  for (const { point, index, methods, values } of reg.extensions) {
    const stub: Record<string, unknown> = { ...values };
    for (const method of methods) {
      stub[method] = (...args: unknown[]) => call('extension.call', { index, method, args }, timeout);
    }
    ctx.extend(createExtensionPoint(point), Object.freeze(stub));
  }
  for (const command of reg.commands) {
    ctx.command({
      ...command,
      run: async (args, io) => {
        const token = ioToken++;
        bridge.commandIO.set(token, io);
        try {
          return await call<number>('command.run', { name: command.name, group: command.group, args, token }, 0);
        } finally {
          bridge.commandIO.delete(token);
        }
      },
    });
  }
}
