#!/usr/bin/env node
/**
 * `hostplane`: the command line. Exit codes: 0 done, 1 the operation failed, 2 bad usage.
 */
import { pathToFileURL } from 'node:url';
import { runCli } from './run.js';
import { processIO } from './output.js';

/** Run the CLI in this process with `argv` (no node and script), setting the exit code. */
export async function main(argv: string[]): Promise<void> {
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
