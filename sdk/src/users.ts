/**
 * Platform users as plugins see them (the core `hostplane.users` table is the kernel's; plugins
 * reach it only through {@link UsersService}), and the tenancy rule every query applies.
 */
import type { Knex } from 'knex';
import type { Actor, Role } from './http.js';

/** Account status. */
export type UserStatus = 'active' | 'suspended' | 'deleted';

/** A user without secrets. */
export interface PlatformUser {
  id: string;
  /** Trimmed and lowercase. */
  email: string;
  name: string;
  role: Role;
  parentId: string | null;
  status: UserStatus;
  hasPassword: boolean;
  emailVerifiedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Input of {@link UsersService.create}. */
export interface NewUser {
  email: string;
  name?: string;
  role: Role;
  parentId?: string | null;
  password?: string;
}

/** The users service (`coreServices.users`, capability `users`). */
export interface UsersService {
  get(id: string): Promise<PlatformUser | undefined>;
  getByEmail(email: string): Promise<PlatformUser | undefined>;
  /** Create a user (email normalised and checked, parent role checked); emits `user.created`. */
  create(input: NewUser): Promise<PlatformUser>;
  /**
   * The user whose email and password match, whatever their status (the caller decides what a
   * suspended user may do). Takes the same time whether or not the email exists.
   */
  verifyPassword(email: string, password: string): Promise<PlatformUser | undefined>;
  /** Set (or with null remove) the password. */
  setPassword(id: string, password: string | null, options?: { trx?: Knex.Transaction }): Promise<void>;
  markEmailVerified(id: string): Promise<void>;
  setStatus(id: string, status: UserStatus, options?: { trx?: Knex.Transaction }): Promise<void>;
  /** Change profile fields (the name, for now). */
  update(id: string, changes: { name?: string }, options?: { trx?: Knex.Transaction }): Promise<PlatformUser>;
  /** Permissions the user holds: their role's, or for a technical user what their customer granted. */
  permissionsOf(user: Pick<PlatformUser, 'id' | 'role'>): Promise<Set<string>>;
  /** Grant a technical user permissions (only ones its customer holds). */
  setGrants(technicalUserId: string, permissions: string[]): Promise<void>;
}

/**
 * Tenancy: who may see what. A user sees their own rows and their subtree's (a reseller its
 * customers and their technical users); a super admin sees everything. Applied inside the SQL
 * query, never by filtering after loading.
 */
export interface TenancyService {
  /** Restrict `query` to rows whose `column` holds the actor's id or a subtree user's id. */
  scope<TRecord extends object, TResult>(
    query: Knex.QueryBuilder<TRecord, TResult>,
    actor: Pick<Actor, 'userId' | 'role'>,
    column: string,
  ): Knex.QueryBuilder<TRecord, TResult>;
  /** True when `userId` is the actor or below them in the tree (always for a super admin). */
  canAccessUser(actor: Pick<Actor, 'userId' | 'role'>, userId: string): Promise<boolean>;
}
