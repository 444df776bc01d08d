/** `hostplane outbox list`: the development mail outbox. */
import { print } from '../output.js';
import { limitOption, usage, withAdminKernel, type CommandInput } from '../command.js';

export async function outboxCommand(input: CommandInput): Promise<number> {
  if (input.args[0] !== 'list' || input.args.length > 1) throw usage('usage: hostplane outbox list [--to EMAIL] [--limit N]');
  const limit = limitOption(input.options.limit);
  return withAdminKernel(input, async (kernel) => {
    const mails = await kernel.listOutbox({ limit, ...(input.options.to ? { to: input.options.to } : {}) });
    print(input.io, input.options.json === true, mails, ['createdAt', 'to', 'subject', 'source', 'tag']);
    return 0;
  });
}
