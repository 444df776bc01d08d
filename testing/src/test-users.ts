/**
 * Real users for tests: rows in the platform's users table made through the kernel's users
 * service (email checks, parent-role rules and the `user.created` event included), arranged in
 * the platform → reseller → customer → technical-user tree, and headers to call the API as each.
 */
import type { NewUser, PlatformUser, Role, UsersService } from '@hostplane/sdk';

/** A user made by the testing kit. */
export interface TestUser extends PlatformUser {
  /** The password it was given (sign-in flows need it), if any. */
  password?: string;
}

/** A whole tree, one user per level. */
export interface TestUserTree {
  /** The platform's administrator (`super_admin`, no parent). */
  admin: TestUser;
  reseller: TestUser;
  /** A customer of `reseller`. */
  customer: TestUser;
  /** A technical user of `customer` (holds what `customer` granted it, nothing by default). */
  technicalUser: TestUser;
}

/** Options of {@link TestUsers.create}. */
export interface NewTestUser {
  /** The parent user (or its id). A reseller's parent is a super admin, a customer's a reseller … */
  parent?: Pick<PlatformUser, 'id'> | string;
  /** Default: a unique address under `example.test`. */
  email?: string;
  name?: string;
  password?: string;
}

/** `host.users`. */
export interface TestUsers {
  /** Make a user with `role` (under `parent`), as an admin would. */
  create(role: Role, options?: NewTestUser): Promise<TestUser>;
  /**
   * Make a fresh tree: an admin, a reseller under it, a customer of the reseller and a technical
   * user of the customer. Call it twice for two trees that must not see each other's data.
   */
  tree(): Promise<TestUserTree>;
  /**
   * Headers that authenticate as `user` with the permissions it holds now (its role's, or for a
   * technical user its grants), read afresh on each call.
   */
  headers(user: Pick<PlatformUser, 'id' | 'role'>): Promise<Record<string, string>>;
}

let counter = 0;

/** The users part of the test host. `headersFor` is the host's test authenticator. */
export function createTestUsers(
  users: UsersService,
  headersFor: (role: Role, options: { userId: string; permissions: string[] }) => Record<string, string>,
): TestUsers {
  const create = async (role: Role, options: NewTestUser = {}): Promise<TestUser> => {
    counter += 1;
    const parentId = typeof options.parent === 'string' ? options.parent : (options.parent?.id ?? null);
    const input: NewUser = {
      email: options.email ?? `${role.replace('_', '-')}-${counter}-${process.pid}-${Date.now().toString(36)}@example.test`,
      name: options.name ?? `${role} ${counter}`,
      role,
      parentId,
      ...(options.password !== undefined ? { password: options.password } : {}),
    };
    const user = await users.create(input);
    return options.password !== undefined ? { ...user, password: options.password } : user;
  };
  return {
    create,
    async tree() {
      const admin = await create('super_admin');
      const reseller = await create('reseller', { parent: admin });
      const customer = await create('customer', { parent: reseller });
      const technicalUser = await create('technical_user', { parent: customer });
      return { admin, reseller, customer, technicalUser };
    },
    async headers(user) {
      const permissions = await users.permissionsOf(user);
      return headersFor(user.role, { userId: user.id, permissions: [...permissions] });
    },
  };
}
