/**
 * What the kernel does with secrets: seal plugin configs on write, reveal them for their own
 * plugin, and the admin side (status, rotation, decrypt-all before a downgrade).
 */
import type { TObject } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { countSealed, revealConfig, sealConfig } from './config-secrets.js';
import { keyFileMode } from './key-file.js';
import { activeKeyId, openKeyring, type KeyOrigin, type Keyring, type SecretKeySource } from './keyring.js';
import { rotateKey, type RotationHooks, type RotationResult } from './rotate.js';
import { pluginConfigStore, type SecretStore } from './stores.js';

/** `hostplane secrets status`. */
export interface SecretsStatus {
  keyId: string;
  origin: KeyOrigin;
  /** Permission bits of the key file (0600 expected), when the key is in a file. */
  keyFileMode: string | null;
  /** Encrypted values by store. */
  encrypted: Record<string, number>;
  /** Plugins whose stored config was written before encryption and not yet sealed. */
  pendingPlugins: string[];
}

/** The kernel's secrets. */
export class KernelSecrets {
  private readonly stores: SecretStore[] = [pluginConfigStore];
  private constructor(
    private readonly knex: Knex,
    private current: Keyring,
  ) {}

  /** Open the keyring (after the core migrations ran). */
  static async open(knex: Knex, source: SecretKeySource): Promise<KernelSecrets> {
    return new KernelSecrets(knex, await openKeyring(knex, source));
  }

  /** The keyring, for other parts of the platform: `keyring.encryptSecret(purpose, context, text)`. */
  get keyring(): Keyring {
    return this.current;
  }

  /** Add a store of envelopes that rotations must re-encrypt. */
  addStore(store: SecretStore): void {
    if (!this.stores.some((s) => s.name === store.name)) this.stores.push(store);
  }

  /**
   * The config to store: secret fields sealed with the database's active key. Another process
   * may have rotated since this one opened its keyring: then the keyring is reopened first, so
   * nothing is ever written under a retired key.
   */
  async seal(pluginId: string, schema: TObject | undefined, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    if ((await activeKeyId(this.knex)) !== this.current.active.id) await this.reload();
    return sealConfig(this.current, pluginId, schema, config);
  }

  /**
   * The stored config with its sealed values decrypted: only ever handed to `pluginId` itself.
   * A value under a key this process has not seen (another process rotated) reopens the keyring.
   */
  async reveal(pluginId: string, stored: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return revealConfig(this.current, pluginId, stored);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SECRETS_ERR_KEY_MISSING') throw error;
      await this.reload();
      return revealConfig(this.current, pluginId, stored);
    }
  }

  /** Encrypt with the database's active key (reopening the keyring after another process rotated). */
  async encrypt(purpose: string, context: string, plaintext: string): Promise<string> {
    if ((await activeKeyId(this.knex)) !== this.current.active.id) await this.reload();
    return this.current.encryptSecret(purpose, context, plaintext);
  }

  /** Decrypt; a value under a key this process has not seen reopens the keyring first. */
  async decrypt(purpose: string, context: string, envelope: string): Promise<string> {
    try {
      return this.current.decryptSecret(purpose, context, envelope);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SECRETS_ERR_KEY_MISSING') throw error;
      await this.reload();
      return this.current.decryptSecret(purpose, context, envelope);
    }
  }

  private async reload(): Promise<void> {
    if (this.current.origin.kind === 'ephemeral') return;
    this.current = this.current.succeededBy(await openKeyring(this.knex, this.current.source));
  }

  /**
   * Seal what a config stored before encryption still holds in the clear, store it, and mark
   * the row sealed. Answers the stored config (the same object when nothing changed).
   */
  async sealStored(
    pluginId: string,
    schema: TObject | undefined,
    stored: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const sealed = await this.seal(pluginId, schema, stored);
    const changed = JSON.stringify(sealed) !== JSON.stringify(stored);
    await this.knex('hostplane.plugins')
      .where({ id: pluginId })
      .update({ ...(changed ? { config: JSON.stringify(sealed) } : {}), secrets_sealed: true });
    return changed ? sealed : stored;
  }

  /** Mark a row sealed after the kernel stored a config it sealed itself (or `false`: not yet). */
  async markSealed(pluginId: string, sealed = true): Promise<void> {
    await this.knex('hostplane.plugins').where({ id: pluginId }).update({ secrets_sealed: sealed });
  }

  /** Ids of plugins whose stored config was never sealed. */
  async pending(): Promise<string[]> {
    return this.knex('hostplane.plugins').where({ secrets_sealed: false }).orderBy('id').pluck('id');
  }

  async status(): Promise<SecretsStatus> {
    const encrypted: Record<string, number> = {};
    for (const store of this.stores) encrypted[store.name] = await store.count(this.knex);
    const origin = this.current.origin;
    const mode = origin.kind === 'file' ? await keyFileMode(origin.path) : undefined;
    return {
      keyId: this.current.active.id,
      origin,
      keyFileMode: mode === undefined ? null : `0${mode.toString(8)}`,
      encrypted,
      pendingPlugins: await this.pending(),
    };
  }

  /** Re-encrypt everything under a new key (see rotate.ts for what a crash leaves). */
  async rotate(hooks?: RotationHooks): Promise<RotationResult> {
    const { keyring, ...result } = await rotateKey(this.knex, this.current, this.stores, hooks);
    this.current = keyring;
    return result;
  }

  /** Write every encrypted value back in the clear, in one transaction (before a downgrade). */
  async decryptAll(): Promise<Record<string, number>> {
    const revealed: Record<string, number> = {};
    await this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['hostplane.secrets:rotate']);
      for (const store of this.stores) {
        if (!store.reveal) continue;
        revealed[store.name] = await store.reveal(trx, (purpose, context, envelope) =>
          this.current.decryptSecret(purpose, context, envelope),
        );
      }
    });
    return revealed;
  }

  /** The active key id in the database (for checks). */
  activeKeyId(): Promise<string | undefined> {
    return activeKeyId(this.knex);
  }

  /** Encrypted values in one config (for tests and status). */
  static countSealed(config: Record<string, unknown>): number {
    return countSealed(config);
  }
}
