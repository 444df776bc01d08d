/**
 * `hostplane secrets rotate-key`. Crash-safety, step by step (key in a file), all but the last
 * inside one transaction holding the rotation lock (which opening a keyring takes too, so no
 * other process judges the key files half way):
 * 1. the new key is written to `secret.key.next` (0600, fsynced, renamed into place);
 * 2. every store is re-encrypted and the database's active key id moves to the new key;
 * 3. after commit, `secret.key.next` is renamed over `secret.key`.
 * A crash before the commit leaves the old key active and a stray next file, which the next
 * open deletes; a crash between commit and rename leaves the new key active in the database and
 * in the next file, and the next open finishes the rename (see keyring.ts). No step leaves a
 * value that no key on disk decrypts.
 */
import { join } from 'node:path';
import type { Knex } from 'knex';
import { SecretsErrors } from './errors.js';
import { encryptSecret, generateSecretKey, type SecretKey } from './envelope.js';
import { NEXT_KEY_FILE, KEY_FILE, parseKey, readKeyFile, removeKeyFile, replaceKeyFile, writeKeyFile } from './key-file.js';
import { activeKeyId, Keyring, ROTATION_LOCK } from './keyring.js';
import type { SecretStore } from './stores.js';

/** What a rotation did. */
export interface RotationResult {
  oldKeyId: string;
  newKeyId: string;
  /** Values re-encrypted, by store name. */
  rewrapped: Record<string, number>;
  /** What the operator must still do (environment keys), else null. */
  followUp: string | null;
}

/** Test seams: throw from one to simulate a crash at that point. */
export interface RotationHooks {
  beforeCommit?(): void | Promise<void>;
  afterCommit?(): void | Promise<void>;
}

/** Re-encrypt every store under a new key. Resolves with the new keyring as well. */
export async function rotateKey(
  knex: Knex,
  keyring: Keyring,
  stores: readonly SecretStore[],
  hooks: RotationHooks = {},
): Promise<RotationResult & { keyring: Keyring }> {
  const { origin, source } = keyring;
  if (origin.kind === 'ephemeral') throw SecretsErrors.keyInvalid('memory', 'an in-memory test key is not rotated');
  let next: SecretKey;
  let nextPath: string | undefined;
  if (origin.kind === 'env') {
    if (!source.newKey) throw SecretsErrors.rotationNeedsKey();
    next = parseKey(source.newKey, 'HOSTPLANE_NEW_SECRET_KEY');
    if (next.id === keyring.active.id) throw SecretsErrors.keyInvalid('HOSTPLANE_NEW_SECRET_KEY', 'it is the current key');
  } else {
    next = generateSecretKey();
    nextPath = join(source.dataDir as string, NEXT_KEY_FILE);
  }
  const rewrapped: Record<string, number> = {};
  await knex.transaction(async (trx) => {
    // One rotation at a time, and no keyring opening meanwhile (keyring.ts takes the same lock).
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [ROTATION_LOCK]);
    const active = await activeKeyId(trx);
    if (active !== keyring.active.id) {
      throw SecretsErrors.keyMissing(String(active), `this process holds key ${keyring.active.id}; reopen and try again`);
    }
    if (nextPath) await writeKeyFile(nextPath, next);
    try {
      for (const store of stores) {
        rewrapped[store.name] = await store.rewrap(trx, (purpose, context, envelope) =>
          encryptSecret(next, purpose, context, keyring.decryptSecret(purpose, context, envelope)),
        );
      }
      await trx('hostplane.secret_keys').where({ id: keyring.active.id }).update({ state: 'retired', retired_at: trx.fn.now() });
      await trx.raw(
        `insert into hostplane.secret_keys (id, state) values (?, 'active')
         on conflict (id) do update set state = 'active', retired_at = null, created_at = now()`,
        [next.id],
      );
      await hooks.beforeCommit?.();
    } catch (error) {
      // Still under the lock: this next file is ours, nobody else's.
      if (nextPath) await removeKeyFile(nextPath);
      throw error;
    }
  });
  await hooks.afterCommit?.();
  if (nextPath) await finishRename(nextPath, join(source.dataDir as string, KEY_FILE), next);
  const followUp =
    origin.kind === 'env'
      ? 'set HOSTPLANE_SECRET_KEY to the value of HOSTPLANE_NEW_SECRET_KEY on every host, then unset HOSTPLANE_NEW_SECRET_KEY'
      : null;
  return {
    oldKeyId: keyring.active.id,
    newKeyId: next.id,
    rewrapped,
    followUp,
    keyring: keyring.succeededBy(
      new Keyring(next, origin.kind === 'env' ? { kind: 'env', variable: 'HOSTPLANE_NEW_SECRET_KEY' } : origin, source),
    ),
  };
}

/** Rename the next file over the key file; another process opening the keyring may have done it. */
async function finishRename(nextPath: string, path: string, next: SecretKey): Promise<void> {
  try {
    await replaceKeyFile(nextPath, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || (await readKeyFile(path))?.id !== next.id) throw error;
  }
}
