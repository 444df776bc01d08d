/**
 * Platform users (`hostplane.users`). Users form a tree: super_admin → reseller → customer →
 * technical_user (DESIGN.md, "HTTP"). Password hashes never leave this module's reads.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { isPgError, PgCodes } from '../db/pg-errors.js';
import { normaliseEmail } from './email-address.js';
import { UserErrors } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { isUuid, resolveLimit } from './validation.js';

export { hashPassword, verifyPassword } from './passwords.js';

/** Roles, from the platform down. */
export type UserRole = 'super_admin' | 'reseller' | 'customer' | 'technical_user';

/** Account status. */
export type UserStatus = 'active' | 'suspended' | 'deleted';

/** A user as the kernel hands it out (no password hash). */
export interface User {
  id: string;
  /** Trimmed, lowercase. */
  email: string;
  name: string;
  role: UserRole;
  parentId: string | null;
  status: UserStatus;
  /** Whether a password is set (a user may sign in by other means only). */
  hasPassword: boolean;
  /** ISO times. */
  emailVerifiedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Input of {@link createUser}. */
export interface CreateUserInput {
  email: string;
  name?: string;
  role: UserRole;
  /**
   * See {@link allowedParentRoles}. Left out for a customer or a reseller, it is the platform
   * (see {@link platformUserId}); `null` says "no parent" (a reseller standing alone).
   */
  parentId?: string | null;
  /** Plain password, hashed here; at least 8 and at most 1024 characters. */
  password?: string;
}

interface DbRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  parent_id: string | null;
  status: UserStatus;
  password_hash: string | null;
  email_verified_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const TABLE = 'hostplane.users';
const ROLES: readonly UserRole[] = ['super_admin', 'reseller', 'customer', 'technical_user'];
// Columns safe to read: everything but password_hash, plus whether there is one.
export const PUBLIC_COLUMNS = [
  'id',
  'email',
  'name',
  'role',
  'parent_id',
  'status',
  'email_verified_at',
  'created_at',
  'updated_at',
] as const;

/** Which parent roles a role may have; `null` in the list means "no parent" is allowed. */
export const allowedParentRoles: Readonly<Record<UserRole, ReadonlyArray<UserRole | null>>> = {
  super_admin: [null],
  reseller: [null, 'super_admin'],
  customer: ['reseller', 'super_admin'],
  technical_user: ['customer'],
};

/** Roles that hang under the platform when no parent is named. */
const PLATFORM_CHILDREN: readonly UserRole[] = ['reseller', 'customer'];

/**
 * The platform in the user tree: its first administrator (the oldest active super admin, as
 * self-registration has it). A customer or reseller created without a parent hangs there, so
 * an admin who names none gets what they meant rather than "a customer needs a parent".
 */
export async function platformUserId(knex: Knex): Promise<string | null> {
  const row = (await knex(TABLE)
    .where({ role: 'super_admin', status: 'active' })
    .whereNull('deleted_at')
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .first('id')) as { id: string } | undefined;
  return row?.id ?? null;
}

/**
 * Create a user. Throws USERS_ERR_EMAIL_INVALID / _EMAIL_TAKEN / _ROLE_INVALID /
 * _PARENT_INVALID / _PASSWORD_INVALID / _NAME_INVALID.
 */
export async function createUser(knex: Knex, input: CreateUserInput): Promise<User> {
  const email = normaliseEmail(input?.email);
  if (!email) throw UserErrors.emailInvalid();
  const role = input.role;
  if (!ROLES.includes(role)) throw UserErrors.roleInvalid(String(role));
  const name = checkName(input.name);
  const parentId =
    input.parentId === undefined && PLATFORM_CHILDREN.includes(role) ? await platformUserId(knex) : (input.parentId ?? null);
  if (parentId !== null && !isUuid(parentId)) throw UserErrors.parentInvalid('parentId must be a user id');
  if (parentId === null && !allowedParentRoles[role].includes(null)) {
    throw UserErrors.parentInvalid(
      `a ${role} needs a parent (${parentList(role)})` +
        (input.parentId === undefined ? '; the platform has no administrator yet to stand in' : ''),
    );
  }
  // Hashed before the transaction: ~20-40 ms of CPU should not hold a connection and a lock.
  const passwordHash = input.password === undefined ? null : await hashPassword(checkPassword(input.password));

  try {
    return await knex.transaction(async (trx) => {
      if (parentId !== null) {
        // FOR SHARE: the parent cannot be deleted or change role until this insert commits.
        const parent = await trx<DbRow>(TABLE).where({ id: parentId }).whereNull('deleted_at').forShare().first('role');
        if (!parent) throw UserErrors.parentInvalid('no such user');
        if (!allowedParentRoles[role].includes(parent.role)) {
          throw UserErrors.parentInvalid(`a ${role} cannot belong to a ${parent.role} (allowed: ${parentList(role)})`);
        }
      }
      const [row] = await trx<DbRow>(TABLE)
        .insert({ email, name, role, parent_id: parentId, password_hash: passwordHash })
        .returning('*');
      return toUser(row as DbRow);
    });
  } catch (err) {
    // The unique index, not a prior SELECT, decides: two concurrent sign-ups cannot both win.
    if (isPgError(err, PgCodes.uniqueViolation, 'users_email_unique')) throw UserErrors.emailTaken();
    throw err;
  }
}

/** Users not deleted, oldest first. `limit` defaults to 100, at most 1000. */
export async function listUsers(knex: Knex, filter: { role?: UserRole; limit?: number } = {}): Promise<User[]> {
  const limit = resolveLimit(filter.limit, 100, 1000, UserErrors.filterInvalid);
  const query = selectUsers(knex)
    .whereNull('deleted_at')
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (filter.role !== undefined) {
    if (!ROLES.includes(filter.role)) throw UserErrors.filterInvalid(`"${String(filter.role)}" is not a role`);
    query.where('role', filter.role);
  }
  return (await query.limit(limit)).map(toUser);
}

/** The live (not deleted) user with this address, matched case-insensitively. */
export async function getUserByEmail(knex: Knex, email: string): Promise<User | undefined> {
  const normalised = normaliseEmail(email);
  if (!normalised) return undefined;
  const row = await selectUsers(knex).whereRaw('lower(email) = ?', [normalised]).whereNull('deleted_at').first();
  return row ? toUser(row) : undefined;
}

/** A user by id, deleted ones included (their id still appears in audit logs). */
export async function getUserById(knex: Knex, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await selectUsers(knex).where({ id }).first();
  return row ? toUser(row) : undefined;
}

/**
 * The live user with this address if `password` is theirs; undefined otherwise (unknown
 * address, no password set, wrong password — indistinguishable, also in time). The caller
 * decides what a suspended status means.
 */
export async function verifyUserPassword(knex: Knex, email: string, password: string): Promise<User | undefined> {
  const normalised = normaliseEmail(email);
  const row = normalised
    ? await knex<DbRow>(TABLE).whereRaw('lower(email) = ?', [normalised]).whereNull('deleted_at').first()
    : undefined;
  // Verify against a throwaway hash when there is no real one, so timing does not tell
  // whether an address has an account.
  const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), String(password));
  return ok && row?.password_hash ? toUser(row) : undefined;
}

/** Set (or with null, remove) a user's password. Throws USERS_ERR_PASSWORD_INVALID; false if no such live user. */
export async function setUserPassword(knex: Knex, id: string, password: string | null): Promise<boolean> {
  if (!isUuid(id)) return false;
  const passwordHash = password === null ? null : await hashPassword(checkPassword(password));
  const updated = await knex(TABLE).where({ id }).whereNull('deleted_at').update({ password_hash: passwordHash });
  return updated > 0;
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

function selectUsers(knex: Knex): Knex.QueryBuilder<DbRow, DbRow[]> {
  return knex<DbRow>(TABLE).select<DbRow[]>([...PUBLIC_COLUMNS, knex.raw('password_hash is not null as has_password')]);
}

/** Trimmed name, or USERS_ERR_NAME_INVALID. */
export function checkName(name: unknown): string {
  if (name === undefined || name === null) return '';
  if (typeof name !== 'string') throw UserErrors.nameInvalid('it must be a string');
  const trimmed = name.trim();
  if (trimmed.length > 200) throw UserErrors.nameInvalid('at most 200 characters');
  if ([...trimmed].some((c) => c < ' ' || c === '\u007f')) throw UserErrors.nameInvalid('no control characters');
  return trimmed;
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string') throw UserErrors.passwordInvalid('it must be a string');
  // NIST SP 800-63B: at least 8; the upper bound keeps hashing cost bounded.
  if (password.length < 8) throw UserErrors.passwordInvalid('at least 8 characters');
  if (password.length > 1024) throw UserErrors.passwordInvalid('at most 1024 characters');
  return password;
}

function parentList(role: UserRole): string {
  return allowedParentRoles[role].map((r) => r ?? 'none').join(' or ');
}

function toUser(row: DbRow & { has_password?: boolean }): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    parentId: row.parent_id,
    status: row.status,
    hasPassword: row.has_password ?? row.password_hash !== null,
    emailVerifiedAt: row.email_verified_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
