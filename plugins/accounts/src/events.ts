/** The events this plugin adds to the typed map, by declaration merging. */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /** A user was suspended (their subscriptions with them). */
    'user.suspended': { userId: string; reason: string; actorId: string | null };
    /** A suspended user was reactivated. */
    'user.unsuspended': { userId: string; actorId: string | null };
    /** A package was assigned to a customer. */
    'subscription.created': { subscriptionId: string; customerId: string; packageId: string; status: string };
    /** `withUser`: suspended because its user was (unsuspending the user brings it back). */
    'subscription.suspended': { subscriptionId: string; customerId: string; reason: string | null; withUser?: boolean };
    'subscription.unsuspended': { subscriptionId: string; customerId: string; withUser?: boolean };
    'subscription.cancelled': { subscriptionId: string; customerId: string };
    'subscription.terminated': { subscriptionId: string; customerId: string };
    /** Upgrade or downgrade; limits already follow the new package. */
    'subscription.package_changed': {
      subscriptionId: string;
      customerId: string;
      fromPackageId: string;
      toPackageId: string;
    };
  }
}

export {};
