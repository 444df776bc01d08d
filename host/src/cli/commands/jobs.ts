/** `hostplane jobs list|retry`. */
import type { JobState } from '@hostplane/sdk';
import { print } from '../output.js';
import { limitOption, usage, withAdminKernel, type CommandInput } from '../command.js';

const STATES: JobState[] = ['waiting', 'scheduled', 'running', 'interrupted', 'retrying', 'dead'];

export async function jobsCommand(input: CommandInput): Promise<number> {
  const [action, ...rest] = input.args;
  const json = input.options.json === true;
  if (action === 'list') {
    const state = input.options.state as JobState | undefined;
    if (state && !STATES.includes(state)) throw usage(`--state must be one of ${STATES.join(', ')}`);
    const limit = limitOption(input.options.limit);
    return withAdminKernel(input, async (kernel) => {
      const jobs = await kernel.jobs.list({
        ...(state ? { state } : {}),
        ...(input.options.name ? { name: input.options.name } : {}),
        limit,
      });
      print(input.io, json, jobs, ['id', 'name', 'state', 'attempts', 'maxAttempts', 'runAt', 'progress', 'lastError']);
      return 0;
    });
  }
  if (action === 'retry') {
    const id = rest[0];
    if (!id || !/^\d+$/.test(id)) throw usage('usage: hostplane jobs retry <numeric id>');
    return withAdminKernel(input, async (kernel) => {
      const job = await kernel.jobs.retry(id);
      if (json) print(input.io, true, job);
      else input.io.out(`job ${id} (${job.name}) queued again`);
      return 0;
    });
  }
  throw usage('usage: hostplane jobs list [--state S] [--name N] | retry <id>');
}
