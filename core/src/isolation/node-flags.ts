/**
 * Node's permission model, by version: Node 20 and 22 before 22.13 know only
 * `--experimental-permission`; 22.13+ and 23.5+ call it `--permission` (the old name stays an
 * alias on 22 but is gone on 24). Addons and WASI have their own switches from Node 22 on; on
 * Node 20 addons never load under the model.
 */

/** The flag that turns the permission model on for `versions` (default: this Node). */
export function permissionFlag(versions: { node: string } = process.versions): string {
  const [major = 0, minor = 0] = versions.node.split('.').map(Number);
  if (major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13)) return '--permission';
  return '--experimental-permission';
}

/** What an isolated plugin's process may do. */
export interface ProcessGrants {
  read: string[];
  write: string[];
  childProcesses: boolean;
  workers: boolean;
  /** Old-space cap in MiB. */
  memoryMb: number;
}

/** `execArgv` for the runner under `grants`. */
export function isolationExecArgv(grants: ProcessGrants, versions: { node: string } = process.versions): string[] {
  const args = [permissionFlag(versions)];
  for (const path of grants.read) args.push(`--allow-fs-read=${path}`);
  for (const path of grants.write) args.push(`--allow-fs-write=${path}`);
  if (grants.childProcesses) args.push('--allow-child-process');
  if (grants.workers) args.push('--allow-worker');
  // A small young generation and one V8 helper thread: a plugin process is small and many run
  // side by side, so resident memory matters more than the last percent of GC throughput.
  args.push(
    `--max-old-space-size=${grants.memoryMb}`,
    '--max-semi-space-size=1',
    '--v8-pool-size=1',
    '--no-warnings=ExperimentalWarning',
  );
  return args;
}
