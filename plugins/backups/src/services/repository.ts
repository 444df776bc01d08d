/**
 * The repository every backup goes to: a local folder by default. Its password is made once
 * (32 random bytes) and kept as a plugin secret, sealed with the platform's key; the escrow
 * commands (commands.ts) give admins a copy that survives the loss of the database.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SecretsService } from '@hostplane/sdk';
import type { BackupsConfig } from '../config.js';
import type { Repository, Restic } from '../restic/restic.js';

/** The name of the local repository's password among the plugin's secrets. */
export const LOCAL_PASSWORD_SECRET = 'repository.local.password';

/** Where the local repository lives: the config's folder, else under the platform's data folder. */
export function repositoryFolder(config: BackupsConfig): string {
  if (config.repository) return config.repository;
  return path.resolve(process.env.HOSTPLANE_DATA_DIR ?? '.hostplane', 'backups', 'repository');
}

export class Repositories {
  #ready: Promise<Repository> | null = null;
  #for = '';

  constructor(private readonly deps: { secrets: SecretsService; restic: () => Restic; config: () => BackupsConfig }) {}

  /** The repository's folder. */
  location(): string {
    return repositoryFolder(this.deps.config());
  }

  /** The repository, created on first use (idempotent across processes). */
  local(): Promise<Repository> {
    const folder = repositoryFolder(this.deps.config());
    if (!this.#ready || this.#for !== folder) {
      this.#for = folder;
      this.#ready = this.open(folder).catch((err: unknown) => {
        this.#ready = null;
        throw err;
      });
    }
    return this.#ready;
  }

  private async open(folder: string): Promise<Repository> {
    const password = await this.deps.secrets.getOrCreate(LOCAL_PASSWORD_SECRET, () => randomBytes(32).toString('base64url'));
    await mkdir(path.dirname(folder), { recursive: true, mode: 0o700 });
    const repo: Repository = { location: folder, password };
    await this.deps.restic().ensureRepository(repo);
    return repo;
  }

  /** The cache folder restic keeps beside the repository's parent. */
  static cacheDir(config: BackupsConfig): string {
    return path.join(path.dirname(repositoryFolder(config)), 'cache');
  }
}
