#!/usr/bin/env node
// The `hostplane` command as npm links it. This file is in git, not built: npm links a
// workspace's bin only when the file exists at install time, and a fresh clone has no dist/ then.
// It runs the compiled CLI, or says in one line how to build it.
const MAIN = new URL('../dist/cli/main.js', import.meta.url);

let cli;
try {
  cli = await import(MAIN.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(MAIN.pathname)) {
    process.stderr.write('hostplane: the CLI is not built yet: run `npm run build` in the repository first\n');
    process.exit(1);
  }
  throw error;
}
await cli.main(process.argv.slice(2));
