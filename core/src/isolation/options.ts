/** How isolated plugins are run: the knobs, with defaults that suit a small host. */

/** Where a plugin's code runs. */
export type IsolationMode = 'process' | 'in-process';

/**
 * The connection an isolated plugin's own pool uses: a URL logged in as the plugin's own
 * database role (core/src/db/roles), made with the grants its manifest asks for. Never the
 * host's owner URL: that must not reach an untrusted process.
 */
export type PluginConnection = (pluginId: string) => Promise<{ url: string }>;

/** Options of isolation (`KernelOptions.isolation`). */
export interface IsolationOptions {
  /** Admin's choice per plugin id, overriding the default (third-party: `process`). */
  plugins?: Record<string, IsolationMode>;
  /** Folder under which each isolated plugin gets `<id>/`, the only place it may write. */
  dataDir?: string;
  /** V8 old-space cap of each plugin process, MiB (default 256). */
  memoryMb?: number;
  /** Resident memory past which the watchdog kills the process, MiB (default memoryMb + 128). */
  rssMb?: number;
  /** How often the child reports it is alive (default 1000 ms). */
  heartbeatMs?: number;
  /** Silence after which the child counts as hung and is killed (default 5000 ms). */
  heartbeatTimeoutMs?: number;
  /** How long a proxied route may take to start answering (default 10000 ms). */
  routeTimeoutMs?: number;
  /** How long the plugin may take to render one mail template (admin preview, sending; default 3000 ms). */
  mailRenderMs?: number;
  /** Restart delays: doubled from `initialMs` after each crash up to `maxMs`. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Connections in each plugin's own pool (default 4). */
  poolSize?: number;
  /** `plugin-user` (default; needs root) or `host-user` (development without root). */
  runAs?: 'plugin-user' | 'host-user';
  /** The database connection of a plugin's own pool (see {@link PluginConnection}). */
  pluginConnection?: PluginConnection;
}

/** Options with every default applied. */
export type ResolvedIsolationOptions = Required<Omit<IsolationOptions, 'plugins' | 'backoff'>> & {
  plugins: Record<string, IsolationMode>;
  backoff: { initialMs: number; maxMs: number };
};

/** Apply defaults. */
export function resolveIsolationOptions(
  given: IsolationOptions | undefined,
  defaults: { dataDir: string; pluginConnection: PluginConnection },
): ResolvedIsolationOptions {
  const memoryMb = given?.memoryMb ?? 256;
  return {
    plugins: given?.plugins ?? {},
    dataDir: given?.dataDir ?? defaults.dataDir,
    memoryMb,
    rssMb: given?.rssMb ?? memoryMb + 128,
    heartbeatMs: given?.heartbeatMs ?? 1000,
    heartbeatTimeoutMs: given?.heartbeatTimeoutMs ?? 5000,
    routeTimeoutMs: given?.routeTimeoutMs ?? 10_000,
    mailRenderMs: given?.mailRenderMs ?? 3000,
    backoff: { initialMs: given?.backoff?.initialMs ?? 500, maxMs: given?.backoff?.maxMs ?? 60_000 },
    poolSize: given?.poolSize ?? 4,
    runAs: given?.runAs ?? 'plugin-user',
    pluginConnection: given?.pluginConnection ?? defaults.pluginConnection,
  };
}
