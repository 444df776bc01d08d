#!/usr/bin/env node
/**
 * `hostplane`: the command line. Exit codes: 0 done, 1 the operation failed, 2 bad usage.
 */
import module from 'node:module';
import { pathToFileURL } from 'node:url';

// Node ≥ 22.1 keeps V8's compiled code of every module between runs (a faster start and CLI);
// Node 20 has no such cache and skips this. It must run before the CLI's modules load, which is
// why they are imported in `main`.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** Run the CLI in this process with `argv` (no node and script), setting the exit code. */
export async function main(argv: string[]): Promise<void> {
  const [{ runCli }, { processIO }] = await Promise.all([import('./run.js'), import('./output.js')]);
  try {
    const code = await runCli(argv, processIO);
    // `start` keeps running until a signal; every other command ends here.
    if (code !== undefined) process.exitCode = code;
  } catch (error) {
    processIO.err(`hostplane: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

// Run directly (`node host/dist/cli/main.js`, as `npm start` does); host/bin/hostplane.js calls main().
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
