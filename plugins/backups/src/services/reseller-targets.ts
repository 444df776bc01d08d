/**
 * Resellers' own backup targets (decision 0077): one S3 or SFTP target per reseller, for the
 * backups of the sites in its tree. Settings that are not secret live in `targets`; the S3
 * secret, the SSH private key and the repository password are plugin secrets named by the
 * target's id. A backup records its target when it is queued (runner, restores, retention and
 * storage read that one), so changing a target never sends a running backup elsewhere.
 */
import type { Knex } from 'knex';
import type { SecretsService, UsersService } from '@hostplane/sdk';
import type { BackupsConfig } from '../config.js';
import { BackupsErrors } from '../errors.js';
import type { BackupStore } from '../store.js';
import { targetOf, type Target } from './repository.js';
import { generatePrivateKey, knownHostsLine } from './sftp.js';
import { endpointHost, refusedTargetHost } from './target-address.js';

export interface S3Settings {
  endpoint: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
}

export interface SftpSettings {
  host: string;
  port: number;
  user: string;
  path: string;
  hostKey: string;
}

export interface ResellerTargetRow {
  id: string;
  owner_id: string;
  kind: 's3' | 'sftp';
  settings: S3Settings | SftpSettings;
  created_at: Date;
  updated_at: Date;
  /** Removed by its reseller: no new backups go there; those made there stay readable. */
  removed_at: Date | null;
}

/** What a reseller sends: the kind, its settings, and the secrets (left out: the stored ones stay). */
export interface ResellerTargetInput {
  kind: 's3' | 'sftp';
  s3?: S3Settings & { secretAccessKey?: string };
  sftp?: SftpSettings & { privateKey?: string };
}

const secretName = (id: string, what: 'password' | 's3-secret' | 'ssh-key') => `target.${id}.${what}`;

export class ResellerTargets {
  constructor(
    private readonly deps: {
      store: BackupStore;
      secrets: SecretsService;
      users: UsersService;
      config: () => BackupsConfig;
    },
  ) {}

  private table(trx?: Knex.Transaction) {
    return this.deps.store.db.table<ResellerTargetRow>('targets', trx);
  }

  /** The reseller's target in use (a removed one reads as none). */
  async ofReseller(resellerId: string, trx?: Knex.Transaction): Promise<ResellerTargetRow | undefined> {
    return (await this.table(trx).where({ owner_id: resellerId }).whereNull('removed_at').first()) as
      ResellerTargetRow | undefined;
  }

  /**
   * Stop using the reseller's target: new backups of its tree go to the platform's. The row
   * stays (backups made there keep reading from it); a later PUT takes it up again.
   */
  async remove(resellerId: string): Promise<boolean> {
    const n = await this.table()
      .where({ owner_id: resellerId })
      .whereNull('removed_at')
      .update({ removed_at: new Date() } as never);
    return Number(n) > 0;
  }

  async byId(id: string): Promise<ResellerTargetRow | undefined> {
    return (await this.table().where({ id }).first()) as ResellerTargetRow | undefined;
  }

  /**
   * The target a new backup of a site owned by `ownerId` goes to: that of the nearest reseller
   * above the owner (or the owner, when a reseller owns the site), or null (the platform's).
   */
  async forOwner(ownerId: string, trx?: Knex.Transaction): Promise<string | null> {
    let id: string | null = ownerId;
    for (let depth = 0; id && depth < 4; depth += 1) {
      const user = await this.deps.users.get(id);
      if (!user) return null;
      if (user.role === 'reseller') {
        const row = await this.ofReseller(user.id, trx);
        if (row) return row.id;
      }
      id = user.parentId;
    }
    return null;
  }

  /** Create or replace the reseller's target; checked before anything is stored. */
  async put(resellerId: string, input: ResellerTargetInput): Promise<ResellerTargetRow> {
    // A removed target is taken up again (its id, so its earlier backups keep their repository).
    const existing = (await this.table().where({ owner_id: resellerId }).first()) as ResellerTargetRow | undefined;
    const settings = this.settingsOf(input);
    if (
      input.kind === 's3' &&
      !input.s3?.secretAccessKey &&
      !(existing && (await this.deps.secrets.get(secretName(existing.id, 's3-secret'))))
    )
      throw BackupsErrors.targetSettings('an S3 target needs its secretAccessKey', '/body/s3/secretAccessKey');
    const refused = await this.refusal(input.kind, settings);
    if (refused) throw BackupsErrors.targetSettings(refused, input.kind === 's3' ? '/body/s3/endpoint' : '/body/sftp/host');
    const row = existing
      ? ((
          await this.table()
            .where({ id: existing.id })
            .update({ kind: input.kind, settings: JSON.stringify(settings), updated_at: new Date(), removed_at: null } as never)
            .returning('*')
        )[0] as ResellerTargetRow)
      : ((
          await this.table()
            .insert({ owner_id: resellerId, kind: input.kind, settings: JSON.stringify(settings) } as never)
            .returning('*')
        )[0] as ResellerTargetRow);
    if (input.kind === 's3' && input.s3?.secretAccessKey)
      await this.deps.secrets.set(secretName(row.id, 's3-secret'), input.s3.secretAccessKey);
    if (input.kind === 'sftp') {
      if (input.sftp?.privateKey) await this.deps.secrets.set(secretName(row.id, 'ssh-key'), input.sftp.privateKey);
      else await this.deps.secrets.getOrCreate(secretName(row.id, 'ssh-key'), generatePrivateKey);
    }
    return row;
  }

  private settingsOf(input: ResellerTargetInput): S3Settings | SftpSettings {
    if (input.kind === 's3') {
      if (!input.s3) throw BackupsErrors.targetSettings('an S3 target needs its s3 settings', '/body/s3');
      const { endpoint, bucket, prefix, accessKeyId } = input.s3;
      return { endpoint, bucket, prefix, accessKeyId };
    }
    if (!input.sftp) throw BackupsErrors.targetSettings('an SFTP target needs its sftp settings', '/body/sftp');
    const { host, port, user, path, hostKey } = input.sftp;
    try {
      knownHostsLine({ host, port, hostKey });
    } catch (err) {
      throw BackupsErrors.targetSettings((err as Error).message, '/body/sftp/hostKey');
    }
    return { host, port, user, path, hostKey };
  }

  /** Why the target's host may not be contacted for a reseller (target-address.ts), or null. */
  private async refusal(kind: 's3' | 'sftp', settings: S3Settings | SftpSettings): Promise<string | null> {
    let host: string;
    try {
      host = kind === 's3' ? endpointHost((settings as S3Settings).endpoint) : (settings as SftpSettings).host;
    } catch {
      return `the endpoint ${(settings as S3Settings).endpoint} is not a URL`;
    }
    return refusedTargetHost(host, this.deps.config().resellerTargetHosts);
  }

  /** The SSH private key of an SFTP target (made when it was saved, or uploaded). */
  async sshKey(row: ResellerTargetRow): Promise<string> {
    return this.deps.secrets.getOrCreate(secretName(row.id, 'ssh-key'), generatePrivateKey);
  }

  /**
   * {@link target}, for restic to contact: its host is checked again on every use, since a name
   * may resolve elsewhere by now or the admin may have taken an exception back.
   */
  async targetToUse(id: string): Promise<Target> {
    const row = await this.existing(id);
    const refused = await this.refusal(row.kind, row.settings);
    if (refused) throw BackupsErrors.targetInvalid(refused);
    return this.targetOf(row);
  }

  /** Where the target's repository is and what restic needs (the same shapes as the platform's targets). */
  async target(id: string): Promise<Target> {
    return this.targetOf(await this.existing(id));
  }

  private async existing(id: string): Promise<ResellerTargetRow> {
    const row = await this.byId(id);
    if (!row) throw BackupsErrors.targetInvalid(`the reseller target ${id} no longer exists`);
    return row;
  }

  private async targetOf(row: ResellerTargetRow): Promise<Target> {
    const base = this.deps.config();
    const config: BackupsConfig =
      row.kind === 's3'
        ? {
            ...base,
            target: 's3',
            s3: {
              ...(row.settings as S3Settings),
              secretAccessKey: (await this.deps.secrets.get(secretName(row.id, 's3-secret'))) ?? '',
              caCertFile: '',
            },
          }
        : { ...base, target: 'sftp', sftp: { ...(row.settings as SftpSettings), privateKey: await this.sshKey(row) } };
    return { ...targetOf(config), secret: secretName(row.id, 'password') };
  }
}
