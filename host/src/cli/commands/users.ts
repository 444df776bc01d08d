/**
 * `hostplane users list|show|create`: platform users, for operators. Other subcommands
 * (`suspend`, `unsuspend`) come from plugins adding to the `users` group: suspending takes a
 * user's subscriptions along, which is the accounts plugin's business.
 */
import { randomBytes } from 'node:crypto';
import { getUserByEmail, getUserById, listUsers, type UserRole } from '@hostplane/core';
import { CliError, print, table } from '../output.js';
import { limitOption, usage, withAdminKernel, type CommandInput } from '../command.js';

const ROLES: UserRole[] = ['super_admin', 'reseller', 'customer', 'technical_user'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the built-in handles itself, and its lines in `hostplane users help`. */
export const USERS_BUILTIN = {
  actions: ['list', 'show', 'create'],
  usage: [
    'hostplane users list [--role R] [--limit N] [--json]\n    Platform users, oldest first (deleted ones left out)',
    'hostplane users show <id|email> [--json]\n    One user',
    'hostplane users create --email E --role R [--parent EMAIL] [--password P] [--name N] [--json]\n    Create a user (a password is generated when none is given; a customer or reseller without\n    --parent goes under the platform, its first administrator)',
  ],
};

export async function usersCommand(input: CommandInput): Promise<number> {
  const [action, ...rest] = input.args;
  const json = input.options.json === true;
  if (action === 'list') {
    const role = input.options.role as UserRole | undefined;
    if (role && !ROLES.includes(role)) throw usage(`--role must be one of ${ROLES.join(', ')}`);
    const limit = limitOption(input.options.limit);
    return withAdminKernel(input, async (kernel) => {
      const users = await listUsers(kernel.knex, { ...(role ? { role } : {}), limit });
      print(input.io, json, users, ['id', 'email', 'name', 'role', 'status', 'parentId', 'createdAt']);
      return 0;
    });
  }
  if (action === 'show') {
    const [who, ...extra] = rest;
    if (!who || extra.length > 0) throw usage('usage: hostplane users show <id|email> [--json]');
    return withAdminKernel(input, async (kernel) => {
      const user = UUID.test(who) ? await getUserById(kernel.knex, who) : await getUserByEmail(kernel.knex, who);
      if (!user) throw new CliError(`no user ${who}`, 1);
      if (json) print(input.io, true, user);
      else
        input.io.out(
          table(
            Object.entries(user).map(([field, value]) => ({ field, value })),
            ['field', 'value'],
          ),
        );
      return 0;
    });
  }
  if (action === 'create') {
    if (rest.length > 0)
      throw usage('usage: hostplane users create --email E --role R [--parent EMAIL] [--password P] [--name N]');
    const { email, role } = input.options;
    if (!email) throw usage('--email is required');
    if (!role || !ROLES.includes(role as UserRole)) throw usage(`--role must be one of ${ROLES.join(', ')}`);
    const generated = input.options.password === undefined;
    const password = input.options.password ?? randomBytes(12).toString('base64url');
    if (password.length < 12) throw usage('--password must be at least 12 characters');
    return withAdminKernel(input, async (kernel) => {
      // No --parent: the core puts a customer or reseller under the platform (its first admin).
      let parentId: string | undefined;
      if (input.options.parent) {
        const parent = await getUserByEmail(kernel.knex, input.options.parent);
        if (!parent) throw usage(`--parent: no user ${input.options.parent}`);
        parentId = parent.id;
      }
      const user = await kernel.users.create({
        email,
        role: role as UserRole,
        ...(parentId ? { parentId } : {}),
        password,
        ...(input.options.name ? { name: input.options.name } : {}),
      });
      // Created by an operator: the address is vouched for.
      await kernel.knex('hostplane.users').where({ id: user.id }).update({ email_verified_at: kernel.knex.fn.now() });
      await kernel.recordAudit({
        action: 'users.user.created',
        target: { type: 'user', id: user.id },
        details: { via: 'cli', role },
      });
      if (json) print(input.io, true, { ...user, ...(generated ? { password } : {}) });
      else input.io.out(`created ${role} ${user.email} (${user.id})${generated ? `\npassword: ${password}  (shown once)` : ''}`);
      return 0;
    });
  }
  throw usage(
    'usage: hostplane users list [--role R] | show <id|email> | create --email E --role R [--parent EMAIL]' +
      ' (and `hostplane users help` for what plugins add)',
  );
}
