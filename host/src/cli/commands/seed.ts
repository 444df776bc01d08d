/** `hostplane seed`: create the demo users. */
import { seedAccounts, seedDemo } from '../../seed.js';
import { print } from '../output.js';
import { withAdminKernel, type CommandInput } from '../command.js';

export async function seedCommand(input: CommandInput): Promise<number> {
  return withAdminKernel(input, async (kernel) => {
    const logins = await seedDemo(kernel);
    print(input.io, input.options.json === true, logins, ['role', 'email', 'password', 'created']);
    // Packages and subscriptions too, when the accounts plugin is on (its own output is chatty).
    await seedAccounts(kernel, {
      out: input.options.json ? () => undefined : (text) => input.io.out(text),
      err: (text) => input.io.err(text),
    });
    return 0;
  });
}
