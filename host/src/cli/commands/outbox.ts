/** `hostplane outbox list|requeue`: the mail outbox and its delivery state (docs/decisions/0018). */
import { OUTBOX_STATUSES, type OutboxStatus } from '@hostplane/core';
import { print } from '../output.js';
import { limitOption, usage, withAdminKernel, type CommandInput } from '../command.js';

const USAGE = `usage: hostplane outbox list [--to EMAIL] [--state ${OUTBOX_STATUSES.join('|')}] [--limit N]
       hostplane outbox requeue <mail id>   (send an uncertain, failed or expired mail again: it may arrive twice)`;

export async function outboxCommand(input: CommandInput): Promise<number> {
  const [verb, id, ...rest] = input.args;
  if (verb === 'requeue') {
    if (!id || rest.length > 0) throw usage(USAGE);
    return withAdminKernel(input, async (kernel) => {
      if (await kernel.requeueMail(id)) {
        input.io.out(`mail ${id} is queued again`);
        return 0;
      }
      input.io.err(`mail ${id} is not uncertain, failed or expired (or does not exist)`);
      return 1;
    });
  }
  if (verb !== 'list' || input.args.length > 1) throw usage(USAGE);
  const limit = limitOption(input.options.limit);
  const state = input.options.state;
  if (state !== undefined && !(OUTBOX_STATUSES as readonly string[]).includes(state)) throw usage(USAGE);
  return withAdminKernel(input, async (kernel) => {
    const mails = await kernel.listOutbox({
      limit,
      ...(input.options.to ? { to: input.options.to } : {}),
      ...(state ? { status: state as OutboxStatus } : {}),
    });
    print(input.io, input.options.json === true, mails, ['createdAt', 'to', 'subject', 'status', 'attempts', 'source', 'id']);
    return 0;
  });
}
