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
import { BackupsErrors } from '../errors.js';
import type { Repository, Restic } from '../restic/restic.js';

/** The name of the local repository's password among the plugin's secrets. */
export const LOCAL_PASSWORD_SECRET = 'repository.local.password';
/** The S3 repository's password (another repository, another key). */
export const S3_PASSWORD_SECRET = 'repository.s3.password';

/** The repository the config points at: restic's `-r` value, its password's name, and what restic needs to reach it. */
export function targetOf(config: BackupsConfig): {
  location: string;
  secret: string;
  env?: Record<string, string>;
  options?: string[];
} {
  if (config.target === 's3') {
    const { endpoint, bucket, prefix, accessKeyId, secretAccessKey, caCertFile } = config.s3;
    if (!endpoint || !bucket) throw BackupsErrors.targetInvalid('the s3 target needs an endpoint and a bucket');
    const path = [bucket, ...prefix.split('/').filter(Boolean)].join('/');
    return {
      location: `s3:${endpoint}/${path}`,
      secret: S3_PASSWORD_SECRET,
      env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
      ...(caCertFile ? { options: ['--cacert', caCertFile] } : {}),
    };
  }
  return { location: repositoryFolder(config), secret: LOCAL_PASSWORD_SECRET };
}

/** Where the local repository lives: the config's folder, else under the platform's data folder. */
export function repositoryFolder(config: BackupsConfig): string {
  if (config.repository) return config.repository;
  return path.resolve(process.env.HOSTPLANE_DATA_DIR ?? '.hostplane', 'backups', 'repository');
}

export class Repositories {
  #ready: Promise<Repository> | null = null;
  #for = '';

  constructor(private readonly deps: { secrets: SecretsService; restic: () => Restic; config: () => BackupsConfig }) {}

  /** Where the repository is (a folder, or `s3:https://…`). */
  location(): string {
    return targetOf(this.deps.config()).location;
  }

  /** The name of the current target's password among the plugin's secrets. */
  secretName(): string {
    return targetOf(this.deps.config()).secret;
  }

  /** The repository, created on first use (idempotent across processes). */
  local(): Promise<Repository> {
    const target = targetOf(this.deps.config());
    const key = JSON.stringify(target);
    if (!this.#ready || this.#for !== key) {
      this.#for = key;
      this.#ready = this.open(target).catch((err: unknown) => {
        this.#ready = null;
        throw err;
      });
    }
    return this.#ready;
  }

  /** The current target with `password` (nothing created, nothing stored). */
  withPassword(password: string, target = targetOf(this.deps.config())): Repository {
    return {
      location: target.location,
      password,
      ...(target.env ? { env: target.env } : {}),
      ...(target.options ? { options: target.options } : {}),
    };
  }

  private async open(target: ReturnType<typeof targetOf>): Promise<Repository> {
    const password = await this.deps.secrets.getOrCreate(target.secret, () => randomBytes(32).toString('base64url'));
    if (target.secret === LOCAL_PASSWORD_SECRET) await mkdir(path.dirname(target.location), { recursive: true, mode: 0o700 });
    const repo = this.withPassword(password, target);
    await this.deps.restic().ensureRepository(repo);
    return repo;
  }

  /** The cache folder restic keeps beside the repository's parent. */
  static cacheDir(config: BackupsConfig): string {
    return path.join(path.dirname(repositoryFolder(config)), 'cache');
  }
}
