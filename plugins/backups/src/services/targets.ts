/**
 * The storage targets as admins see them: the local folder, S3 and SFTP when configured; the
 * active one opened with its key. Never a credential: an SFTP target shows the public half of
 * its key (what the server's authorized_keys needs), never the private one.
 */
import type { BackupsConfig } from '../config.js';
import type { Restic } from '../restic/restic.js';
import type { TargetStatus } from '../routes.js';
import { repositoryFolder, targetOf, type Repositories } from './repository.js';
import { publicKeyOf } from './sftp.js';

type Remote = 's3' | 'sftp';

/** A remote target's row: configured (or active), with its location or what keeps it from being usable. */
async function remote(config: BackupsConfig, kind: Remote, repos: Repositories): Promise<TargetStatus | null> {
  const active = config.target === kind;
  const configured = kind === 's3' ? Boolean(config.s3.endpoint) : Boolean(config.sftp.host);
  if (!active && !configured) return null;
  const row: TargetStatus = { kind, active, location: '', reachable: null, snapshots: null, error: null, publicKey: null };
  try {
    row.location = targetOf({ ...config, target: kind }).location;
    if (kind === 'sftp') row.publicKey = await publicKeyOf(await repos.sftpKey(config.sftp));
  } catch (err) {
    if (active) {
      row.reachable = false;
      row.error = (err as Error).message;
    }
  }
  return row;
}

export async function targetStatus(config: BackupsConfig, repos: Repositories, restic: () => Restic): Promise<TargetStatus[]> {
  const out: TargetStatus[] = [
    {
      kind: 'local',
      active: config.target === 'local',
      location: repositoryFolder(config),
      reachable: null,
      snapshots: null,
      error: null,
      publicKey: null,
    },
  ];
  for (const kind of ['s3', 'sftp'] as const) {
    const row = await remote(config, kind, repos);
    if (row) out.push(row);
  }
  const active = out.find((t) => t.active)!;
  if (active.reachable === false) return out;
  try {
    const repo = await repos.local();
    active.snapshots = (await restic().snapshots(repo)).length;
    active.reachable = true;
  } catch (err) {
    active.reachable = false;
    active.error = (err as Error).message;
  }
  return out;
}
