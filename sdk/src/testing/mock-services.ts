/**
 * In-memory stand-ins for platform services, for unit tests of a plugin's own logic. They
 * record what was asked of them; for anything touching SQL use `startTestHost` instead.
 */
import type { EventName, EventPayload, EventsService } from '../events.js';
import type { EnqueueOptions, JobsService, TasksService } from '../jobs.js';
import type { ExtensionPoint } from '../extension-points.js';
import type {
  AuditEntry,
  AuditService,
  ClockService,
  ExtensionsService,
  MailerService,
  MailMessage,
  SettingsService,
} from '../services.js';

/** A clock tests can move. */
export interface MockClock extends ClockService {
  set(date: Date): void;
  advance(ms: number): void;
}

/** Make a clock starting at `start`. */
export function mockClock(start = new Date('2026-01-01T00:00:00Z')): MockClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    set: (date) => {
      now = date.getTime();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Jobs service that records enqueued jobs. */
export function mockJobs(): JobsService & { enqueued: Array<{ name: string; payload: unknown; options: EnqueueOptions }> } {
  const enqueued: Array<{ name: string; payload: unknown; options: EnqueueOptions }> = [];
  return {
    enqueued,
    async enqueue(name, payload, options = {}) {
      enqueued.push({ name, payload, options });
      return { id: String(enqueued.length) };
    },
    async enqueueMany(name, jobs, options = {}) {
      const { trx, maxAttempts, queue } = options;
      for (const { payload, ...own } of jobs) enqueued.push({ name, payload, options: { trx, maxAttempts, queue, ...own } });
      return { count: new Set(jobs.map((j, i) => j.jobKey ?? `#${i}`)).size };
    },
  };
}

/** Events service that records emitted events and runs registered before-hooks. */
export function mockEvents(): EventsService & {
  emitted: Array<{ event: EventName; payload: unknown }>;
  vetoes: Map<EventName, (payload: unknown) => void>;
} {
  const emitted: Array<{ event: EventName; payload: unknown }> = [];
  const vetoes = new Map<EventName, (payload: unknown) => void>();
  return {
    emitted,
    vetoes,
    async guard<E extends EventName>(event: E, payload: EventPayload<E>) {
      vetoes.get(event)?.(payload);
    },
    async emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      emitted.push({ event, payload });
    },
  };
}

/** Tasks service that runs task modules in this thread. */
export function mockTasks(modules: Record<string, (input: unknown) => unknown>): TasksService {
  return {
    async run<I, O>(name: string, input: I): Promise<O> {
      const fn = modules[name];
      if (!fn) throw new Error(`mockTasks: no task "${name}"`);
      return (await fn(input)) as O;
    },
  };
}

/** Mailer that keeps mails in memory. */
export function mockMailer(): MailerService & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return { id: String(sent.length) };
    },
    // The kernel's layout is not here: a mock keeps what the template said, as text and HTML alike.
    async brand(from = {}) {
      return { issuer: from.issuer ?? 'platform', name: 'Hostplane', logoUrl: null, color: '#1d4ed8', replyTo: null };
    },
    async sendTemplate(template, input) {
      const brand = await this.brand({ ...(input.issuer ? { issuer: input.issuer } : {}) });
      const { subject, blocks } = template.render(input.variables, brand);
      const text = blocks
        .map((b) =>
          typeof b === 'string'
            ? b
            : 'action' in b
              ? `${b.action.label}:\n${b.action.url}`
              : b.facts.map((f) => f.join(': ')).join('\n'),
        )
        .join('\n\n');
      sent.push({ to: input.to, subject, text, tag: template.id, fromName: brand.name });
      return { id: String(sent.length) };
    },
  };
}

/** Audit log kept in memory. */
export function mockAudit(): AuditService & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    async record(entry) {
      entries.push(entry);
    },
  };
}

/** Settings in a Map. */
export function mockSettings(): SettingsService & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    async get<T>(key: string) {
      return values.get(key) as T | undefined;
    },
    async set(key, value) {
      values.set(key, structuredClone(value));
    },
    async delete(key) {
      values.delete(key);
    },
  };
}

/** Extension implementations you register by hand (`add`), as started plugins would offer them. */
export function mockExtensions(): ExtensionsService & { add<T>(point: ExtensionPoint<T>, implementation: T): void } {
  const byPoint = new Map<string, unknown[]>();
  return {
    add(point, implementation) {
      byPoint.set(point.id, [...(byPoint.get(point.id) ?? []), implementation]);
    },
    list<T>(point: ExtensionPoint<T>) {
      return [...((byPoint.get(point.id) ?? []) as T[])];
    },
  };
}
