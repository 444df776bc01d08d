// The accounts plugin's events (subscription.*, user.suspended …), which this plugin follows.
import type {} from '@hostplane/plugin-accounts';

/** The events this plugin adds to the typed map, by declaration merging (DNS and backups listen). */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /**
     * Before-hook: a website is about to be created for this subscription. A hook that throws
     * refuses the create with its error (usage metering: the package's disk is full).
     */
    'website.creating': { subscriptionId: string; ownerId: string; domain: string; kind: string };
    /**
     * Before-hook: `bytes` are about to be written to a file of the website (an upload or a
     * save through the files API). A hook that throws refuses the write with its error.
     */
    'website.file.writing': { websiteId: string; subscriptionId: string; path: string; bytes: number };
    /** A website was created (its provisioning starts). */
    'website.created': {
      websiteId: string;
      ownerId: string;
      subscriptionId: string;
      domain: string;
      aliases: string[];
      kind: string;
    };
    /** The web server now serves the website (first time, after an unsuspend or a repair). */
    'website.activated': { websiteId: string; domain: string; aliases: string[]; previewUrl: string | null };
    /** The web server now shows the suspension page instead of the website. */
    'website.suspended': { websiteId: string; domain: string; reasons: string[] };
    /** The website and its files are gone from the server. */
    'website.deleted': { websiteId: string; ownerId: string; domain: string; aliases: string[] };
  }
}

export {};
