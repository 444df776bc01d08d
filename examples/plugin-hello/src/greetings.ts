/** Greeting storage: plain functions over the plugin's database service. */
import type { DatabaseService, EventsService, JobsService } from '@hostplane/sdk';
import './events.js';

export interface Greeting {
  id: string;
  name: string;
  text: string;
  banner: string | null;
  created_by: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

export interface GreetingDeps {
  db: DatabaseService;
  jobs: JobsService;
  events: EventsService;
}

/**
 * Store a greeting and enqueue its delivery in one transaction: the job exists only if the
 * row does. Before-hooks on `greeting.created` may refuse the name.
 */
export async function createGreeting(
  deps: GreetingDeps,
  input: { name: string; text: string; createdBy: string | null },
): Promise<Greeting> {
  await deps.events.guard('greeting.created', { greetingId: '', name: input.name });
  return deps.db.transaction(async (trx) => {
    const [row] = await deps.db
      .table<Greeting>('greetings', trx)
      .insert({ name: input.name, text: input.text, created_by: input.createdBy })
      .returning('*');
    const greeting = row as Greeting;
    await deps.jobs.enqueue('deliver-greeting', { greetingId: greeting.id }, { trx, jobKey: `greeting:${greeting.id}` });
    await deps.events.emit('greeting.created', { greetingId: greeting.id, name: greeting.name }, { trx });
    return greeting;
  });
}

export async function listGreetings(db: DatabaseService, limit: number): Promise<Greeting[]> {
  return db.table<Greeting>('greetings').select<Greeting[]>('*').orderBy('created_at', 'desc').limit(limit);
}

export async function getGreeting(db: DatabaseService, id: string): Promise<Greeting | undefined> {
  return db.table<Greeting>('greetings').where({ id }).first();
}
