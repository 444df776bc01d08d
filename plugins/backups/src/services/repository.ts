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
import { cheapKeyId } from '../restic/cheap-key.js';
import { generatePrivateKey, knownHostsLine, SFTP_KEY_SECRET, sftpLocation, sftpOptions, type SftpConfig } from './sftp.js';

/** The name of the local repository's password among the plugin's secrets. */
export const LOCAL_PASSWORD_SECRET = 'repository.local.password';
/** The S3 repository's password (another repository, another key). */
export const S3_PASSWORD_SECRET = 'repository.s3.password';
/** The SFTP repository's password. */
export const SFTP_PASSWORD_SECRET = 'repository.sftp.password';

/** Where a target's repository is and what restic needs to reach it (no file written yet). */
export interface Target {
  location: string;
  secret: string;
  env?: Record<string, string>;
  options?: string[];
  /** SFTP: the server, its pinned host key and the config's own private key (empty: the plugin's). */
  sftp?: SftpConfig;
}

/** The repository the config points at: restic's `-r` value, its password's name, and what restic needs to reach it. */
export function targetOf(config: BackupsConfig): Target {
  if (config.target === 'sftp') {
    const { host, user, path } = config.sftp;
    if (!host || !user || !path) throw BackupsErrors.targetInvalid('the sftp target needs a host, a user and a folder');
    // Checked now: a target without a pinned host key is never opened.
    knownHostsLine(config.sftp);
    return { location: sftpLocation(config.sftp), secret: SFTP_PASSWORD_SECRET, sftp: config.sftp };
  }
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
  /** Resellers' repositories, opened once per settings (decision 0077). */
  readonly #others = new Map<string, Promise<Repository>>();

  constructor(
    private readonly deps: {
      secrets: SecretsService;
      restic: () => Restic;
      config: () => BackupsConfig;
      /** A reseller target's repository (reseller-targets.ts). */
      resellerTarget?: (id: string) => Promise<Target>;
    },
  ) {}

  /** The repository of a backup's target: null is the platform's (`local()`), else a reseller's. */
  async forTarget(id: string | null): Promise<Repository> {
    if (!id || !this.deps.resellerTarget) return this.local();
    const target = await this.deps.resellerTarget(id);
    const key = `${id}\0${JSON.stringify(target)}`;
    let ready = this.#others.get(key);
    if (!ready) {
      ready = this.open(target).catch((err: unknown) => {
        this.#others.delete(key);
        throw err;
      });
      this.#others.set(key, ready);
    }
    return ready;
  }

  /** The plugin's config as it is now. */
  config(): BackupsConfig {
    return this.deps.config();
  }

  /** Where the repository is (a folder, `s3:https://…` or `sftp:user@host:/path`). */
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

  /** The current target with `password` (nothing created, nothing stored but an SFTP key's files). */
  async withPassword(password: string, target = targetOf(this.deps.config())): Promise<Repository> {
    const options = [...(target.options ?? [])];
    const sftp = target.sftp ? await sftpOptions(this.sshDir(), target.sftp, await this.sftpKey(target.sftp)) : null;
    if (sftp) options.push(...sftp.options);
    return {
      location: target.location,
      password,
      ...(target.env ? { env: target.env } : {}),
      ...(options.length ? { options } : {}),
      ...(sftp ? { sshLog: sftp.sshLog } : {}),
    };
  }

  /** The SFTP private key: the config's (uploaded by an admin), else one the plugin made once and sealed. */
  async sftpKey(sftp: SftpConfig = this.deps.config().sftp): Promise<string> {
    if (sftp.privateKey.trim()) return sftp.privateKey;
    return this.deps.secrets.getOrCreate(SFTP_KEY_SECRET, generatePrivateKey);
  }

  /** Where the SFTP key and known_hosts files are written (0700), beside the cache. */
  private sshDir(): string {
    return path.join(path.dirname(repositoryFolder(this.deps.config())), 'ssh');
  }

  private async open(target: Target): Promise<Repository> {
    const password = await this.deps.secrets.getOrCreate(target.secret, () => randomBytes(32).toString('base64url'));
    if (target.secret === LOCAL_PASSWORD_SECRET) await mkdir(path.dirname(target.location), { recursive: true, mode: 0o700 });
    const repo = await this.withPassword(password, target);
    await this.deps.restic().ensureRepository(repo);
    // The cheap key first (decision 0085), whatever other keys the repository holds.
    const hint = repo.location.startsWith('/') ? await cheapKeyId(repo.location) : null;
    return hint ? { ...repo, options: [...(repo.options ?? []), '--key-hint', hint] } : repo;
  }

  /** The cache folder restic keeps beside the repository's parent. */
  static cacheDir(config: BackupsConfig): string {
    return path.join(path.dirname(repositoryFolder(config)), 'cache');
  }
}
