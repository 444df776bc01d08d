/**
 * `hostplane doctor`: what a host needs from its machine and database, checked without starting
 * it or changing anything. Each check says ok, warn or fail with what to do.
 */
import type { HostConfig } from '../config.js';
import type { CheckResult } from './check.js';
import { checkDatabase } from './database.js';
import { checkBinaries, checkDisk, checkFolders, checkNode, checkPorts, nginxSettings } from './system.js';

export type { CheckResult, CheckStatus } from './check.js';

export async function runDoctor(config: HostConfig): Promise<CheckResult[]> {
  const database = await checkDatabase(config.databaseUrl);
  const nginx = nginxSettings(database.plugins, config);
  return [
    checkNode(),
    ...database.results,
    ...checkBinaries(nginx),
    ...(await checkPorts(config, nginx)),
    ...(await checkFolders(config, nginx)),
    await checkDisk(config),
  ];
}
