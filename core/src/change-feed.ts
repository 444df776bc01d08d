/**
 * The plugin change feed: how kernels on one database tell each other that an admin changed a
 * plugin (enabled, disabled, configured). A change is announced with NOTIFY on one channel;
 * every other kernel LISTENs and reconciles with the stored wishes. The payload only names the
 * plugin: PostgreSQL holds the truth, the notification is a nudge to read it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';

const CHANNEL = 'hostplane_plugins';

/** Options of {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /** Announcements go out through the kernel's pool. */
  knex: Knex;
  /** LISTEN needs a connection of its own, outside the pool. */
  connectionString: string;
  logger: Logger;
}

/** Announce plugin changes to other kernels and hear theirs. */
export class ChangeFeed {
  /** Tells this kernel's own announcements apart from other processes' (and other kernels'). */
  readonly #instanceId = randomUUID();
  readonly #options: ChangeFeedOptions;
  #client: pg.Client | undefined;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  /** Tell other processes on this database that `pluginId` changed. Best effort: logged on failure. */
  async announce(pluginId: string): Promise<void> {
    const { knex, logger } = this.#options;
    await knex.raw('select pg_notify(?, ?)', [CHANNEL, `${this.#instanceId}:${pluginId}`]).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not announce plugin change');
    });
  }

  /** Call `onChange` with the plugin id of every change another kernel announces, until {@link close}. */
  async listen(onChange: (pluginId: string | undefined) => void): Promise<void> {
    const { connectionString, logger } = this.#options;
    const client = new pg.Client({ connectionString });
    client.on('error', (error) => logger.warn({ err: error }, 'plugin change listener lost its connection'));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    client.on('notification', (message) => {
      const [from, changedId] = (message.payload ?? '').split(':');
      if (from === this.#instanceId) return;
      onChange(changedId);
    });
    this.#client = client;
  }

  /** Stop listening. Safe to call when not listening. */
  async close(): Promise<void> {
    await this.#client?.end().catch(() => undefined);
    this.#client = undefined;
  }
}
