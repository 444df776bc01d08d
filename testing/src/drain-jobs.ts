/**
 * Drain the job queue: wait until no job is ready to run, with the workers of the test host
 * running them (the real graphile-worker runners, not a stand-in). Follow-up work counts: a job
 * that enqueues another, or an event handler that does, keeps the drain going.
 */
import type { JobInfo } from '@hostplane/sdk';

/** One job that finished (or failed an attempt) while draining. */
export interface DrainedJob {
  id: string;
  name: string;
  attempt: number;
  outcome: 'succeeded' | 'failed';
  /** The error of a failed attempt. */
  error?: string;
  /** True when that failure used the last attempt. */
  dead?: boolean;
}

/** What {@link drainJobs} saw. */
export interface DrainResult {
  /** Attempts that ended while draining, in the order they ended. */
  ran: DrainedJob[];
  /**
   * Jobs left waiting because no started plugin defines their name (they run once one does),
   * and failed jobs waiting for their retry time: neither is "ready", so the drain does not wait.
   */
  left: JobInfo[];
}

/** Options of {@link drainJobs}. */
export interface DrainOptions {
  /**
   * Reject when jobs are still ready after this long (default 120 000 ms: a test host renders on
   * one worker thread, and a queue of PDFs on a loaded CI machine took longer than 30 s).
   */
  timeoutMs?: number;
}

/** The parts of the kernel the drain needs. */
export interface DrainSource {
  jobs: {
    list(filter?: { state?: JobInfo['state']; limit?: number }): Promise<JobInfo[]>;
    isDefined(name: string): boolean;
    onEvent(
      listener: (event: { type: string; id: string; name: string; attempt: number; error?: unknown; dead?: boolean }) => void,
    ): () => void;
  };
  events: { idle(): Promise<void> };
}

const POLL_MS = 15;

/** Run jobs until none is ready. The host must run workers (`runWorkers` not false). */
export async function drainJobs(kernel: DrainSource, options: DrainOptions = {}): Promise<DrainResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const ran: DrainedJob[] = [];
  const unsubscribe = kernel.jobs.onEvent((event) => {
    if (event.type === 'succeeded') ran.push({ id: event.id, name: event.name, attempt: event.attempt, outcome: 'succeeded' });
    if (event.type === 'failed') {
      const error = event.error instanceof Error ? event.error.message : String(event.error);
      ran.push({ id: event.id, name: event.name, attempt: event.attempt, outcome: 'failed', error, dead: event.dead === true });
    }
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      // Handlers of events emitted by jobs may enqueue more; let them finish first.
      await kernel.events.idle();
      // One query, so one snapshot: a job that finishes after enqueueing its follow-up is seen
      // either still running or replaced by the follow-up. Asking per state raced: the finished
      // link was gone from "running" and its follow-up had not been in "waiting" a moment before.
      const jobs = await kernel.jobs.list({ limit: 1000 });
      const of = (state: JobInfo['state']): JobInfo[] => jobs.filter((j) => j.state === state);
      const [waiting, running, interrupted, retrying] = [of('waiting'), of('running'), of('interrupted'), of('retrying')];
      const now = Date.now();
      const ready = [
        ...waiting.filter((j) => kernel.jobs.isDefined(j.name)),
        ...running,
        ...interrupted,
        ...retrying.filter((j) => new Date(j.runAt).getTime() <= now && kernel.jobs.isDefined(j.name)),
      ];
      if (ready.length === 0) {
        const left = [
          ...waiting.filter((j) => !kernel.jobs.isDefined(j.name)),
          ...retrying.filter((j) => new Date(j.runAt).getTime() > now || !kernel.jobs.isDefined(j.name)),
        ];
        return { ran, left };
      }
      if (Date.now() > deadline) {
        const names = ready.map((j) => `${j.name}#${j.id} (${j.state})`).join(', ');
        throw new Error(`jobs still ready after ${timeoutMs} ms: ${names}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    unsubscribe();
  }
}
