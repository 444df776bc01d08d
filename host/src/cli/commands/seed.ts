/** `hostplane seed`: create the demo users. */
import { seedDemo } from '../../seed.js';
import { print } from '../output.js';
import { withAdminKernel, type CommandInput } from '../command.js';

export async function seedCommand(input: CommandInput): Promise<number> {
  return withAdminKernel(input, async (kernel) => {
    const logins = await seedDemo(kernel);
    print(input.io, input.options.json === true, logins, ['role', 'email', 'password', 'created']);
    return 0;
  });
}
