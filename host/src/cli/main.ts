#!/usr/bin/env node
/**
 * `hostplane`: the command line. Exit codes: 0 done, 1 the operation failed, 2 bad usage.
 */
import { pathToFileURL } from 'node:url';
import { runCli } from './run.js';
import { processIO } from './output.js';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCli(process.argv.slice(2), processIO).then(
    (code) => {
      // `start` keeps running until a signal; every other command ends here.
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      processIO.err(`hostplane: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
