/** Error codes of the accounts plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

/** What a reseller tried to do with a package that is not theirs. */
export type PackageUse = 'sell' | 'change' | 'create';

/** Who made a suspension, and who may lift it, in words (by level). */
const SUSPENDED_BY: Record<string, string> = {
  platform: 'an administrator of the platform',
  reseller: 'a reseller',
  customer: 'a customer',
};
const MAY_LIFT: Record<string, string> = {
  platform: 'an administrator',
  reseller: 'that reseller or an administrator',
  customer: 'that customer, its reseller or an administrator',
};

/** The package an error speaks of. */
export interface PackageRef {
  id: string;
  name: string;
  ownerId: string | null;
}

export const AccountsErrors = {
  packageNotFound: defineError('ACCOUNTS_ERR_PACKAGE_NOT_FOUND', 404, (id: string) => `No package ${id}`),
  packageInUse: defineError(
    'ACCOUNTS_ERR_PACKAGE_IN_USE',
    409,
    (id: string) => `Package ${id} has subscriptions; archive it instead (POST /v1/packages/${id}/archive)`,
    (id: string) => ({ hint: `POST /v1/packages/${id}/archive` }),
  ),
  packageArchived: defineError('ACCOUNTS_ERR_PACKAGE_ARCHIVED', 409, (id: string) => `Package ${id} is archived`),
  /**
   * A reseller used a package that is not theirs. Said in the reseller's words: what the package
   * is, why it cannot be used that way, and what to do instead (make a package of their own).
   */
  packageNotOwned: defineError(
    'ACCOUNTS_ERR_PACKAGE_NOT_OWNED',
    403,
    (use: PackageUse, pkg?: PackageRef) => {
      const whose = pkg ? `"${pkg.name}" belongs to ${pkg.ownerId ? 'another reseller' : 'the platform'}` : '';
      if (use === 'sell')
        return (
          `${whose}: you can give your customers only packages you created. ` +
          'Create a package of your own (Packages → New package, within what your own plan allows) and assign that one.'
        );
      if (use === 'change') return `${whose}, so you cannot change it. Create a package of your own instead.`;
      return 'A package you create is always yours: leave ownerId out (or give your own id).';
    },
    (use: PackageUse, pkg?: PackageRef) => ({
      ...(pkg ? { packageId: pkg.id, owner: pkg.ownerId ? 'reseller' : 'platform' } : {}),
      ...(use === 'create' ? { field: '/body/ownerId' } : { hint: 'POST /v1/packages' }),
    }),
  ),
  noOwnPackage: defineError(
    'ACCOUNTS_ERR_NO_OWN_PACKAGE',
    409,
    'A reseller builds packages within the package it subscribes to, and has none',
  ),
  exceedsOwnPackage: defineError(
    'ACCOUNTS_ERR_EXCEEDS_OWN_PACKAGE',
    409,
    (fields: string[]) => `Beyond what your own package allows: ${fields.join(', ')}`,
    (fields: string[]) => ({ fields }),
  ),
  priceMissing: defineError(
    'ACCOUNTS_ERR_PRICE_MISSING',
    400,
    (cycle: string) => `The package has no ${cycle} price`,
    (cycle: string) => ({ field: `/body/billingCycle`, cycle }),
  ),
  subscriptionNotFound: defineError('ACCOUNTS_ERR_SUBSCRIPTION_NOT_FOUND', 404, (id: string) => `No subscription ${id}`),
  transitionRefused: defineError(
    'ACCOUNTS_ERR_TRANSITION_REFUSED',
    409,
    (from: string, action: string) => `A ${from} subscription cannot be ${action}`,
    (from: string, action: string) => ({ status: from, action }),
  ),
  usageExceedsPackage: defineError(
    'ACCOUNTS_ERR_USAGE_EXCEEDS_PACKAGE',
    409,
    (resources: string[], _lines: unknown[]) => `Current usage exceeds the new package's limits: ${resources.join(', ')}`,
    (resources: string[], lines: unknown[]) => ({ resources, usage: lines }),
  ),
  customerInvalid: defineError(
    'ACCOUNTS_ERR_CUSTOMER_INVALID',
    400,
    (reason: string) => reason,
    () => ({ field: '/body/customerId' }),
  ),
  suspendedAbove: defineError(
    'ACCOUNTS_ERR_SUSPENDED_ABOVE',
    403,
    (what: string, level: string) =>
      `This ${what} was suspended by ${SUSPENDED_BY[level] ?? level}: only ${MAY_LIFT[level] ?? level} can lift the suspension`,
    (what: string, level: string) => ({ suspendedBy: level }),
  ),
  userNotFound: defineError('ACCOUNTS_ERR_USER_NOT_FOUND', 404, (id: string) => `No user ${id}`),
  roleNotAllowed: defineError(
    'ACCOUNTS_ERR_ROLE_NOT_ALLOWED',
    403,
    (role: string, target: string) => `A ${role} cannot create a ${target}`,
  ),
  notYourself: defineError('ACCOUNTS_ERR_NOT_YOURSELF', 409, (action: string) => `You cannot ${action} yourself`),
  userStatus: defineError(
    'ACCOUNTS_ERR_USER_STATUS',
    409,
    (status: string, action: string) => `A ${status} user cannot be ${action}`,
  ),
};
