/** `hostplane admin create`: a platform administrator, for the first login or a lost one. */
import { randomBytes } from 'node:crypto';
import { print } from '../output.js';
import { usage, withAdminKernel, type CommandInput } from '../command.js';

export async function adminCommand(input: CommandInput): Promise<number> {
  if (input.args[0] !== 'create' || input.args.length > 1)
    throw usage('usage: hostplane admin create --email E [--password P] [--name N]');
  const email = input.options.email;
  if (!email) throw usage('--email is required');
  const generated = input.options.password === undefined;
  const password = input.options.password ?? randomBytes(12).toString('base64url');
  if (password.length < 12) throw usage('--password must be at least 12 characters');
  return withAdminKernel(input, async (kernel) => {
    const user = await kernel.users.create({
      email,
      name: input.options.name ?? 'Administrator',
      role: 'super_admin',
      password,
    });
    // Created by an operator: the address is vouched for.
    await kernel.knex('hostplane.users').where({ id: user.id }).update({ email_verified_at: kernel.knex.fn.now() });
    await kernel.recordAudit({ action: 'users.admin.created', target: { type: 'user', id: user.id }, details: { via: 'cli' } });
    if (input.options.json) print(input.io, true, { ...user, ...(generated ? { password } : {}) });
    else
      input.io.out(`created super_admin ${user.email} (${user.id})${generated ? `\npassword: ${password}  (shown once)` : ''}`);
    return 0;
  });
}
