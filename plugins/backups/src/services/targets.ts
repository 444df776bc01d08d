/** The storage targets as admins see them: the local folder, S3 when configured; the active one opened. */
import type { BackupsConfig } from '../config.js';
import type { Restic } from '../restic/restic.js';
import type { TargetStatus } from '../routes.js';
import { repositoryFolder, targetOf, type Repositories } from './repository.js';

export async function targetStatus(config: BackupsConfig, repos: Repositories, restic: () => Restic): Promise<TargetStatus[]> {
  const out: TargetStatus[] = [];
  const local: TargetStatus = {
    kind: 'local',
    active: config.target === 'local',
    location: repositoryFolder(config),
    reachable: null,
    snapshots: null,
    error: null,
  };
  out.push(local);
  if (config.target === 's3' || config.s3.endpoint) {
    let location = '';
    try {
      location = targetOf({ ...config, target: 's3' }).location;
    } catch (err) {
      location = '';
      if (config.target === 's3')
        return [local, { kind: 's3', active: true, location, reachable: false, snapshots: null, error: (err as Error).message }];
    }
    out.push({ kind: 's3', active: config.target === 's3', location, reachable: null, snapshots: null, error: null });
  }
  const active = out.find((t) => t.active)!;
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
