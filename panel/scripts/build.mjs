// `react-router build`, without one line of noise we cannot configure away. @react-router/dev
// 7.18 starts its internal Vite servers with `envFile: false`, which Vite 8 calls deprecated and
// prints once per server (nine times a build): our vite.config.ts does not reach those servers.
// Only that exact line is dropped; everything else passes through, and the exit code too.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isNoise } from './build-noise.mjs';

const require = createRequire(import.meta.url);
const manifest = require.resolve('@react-router/dev/package.json');
const cli = path.join(path.dirname(manifest), require(manifest).bin['react-router']);
// Colours survive the pipe when the terminal has them.
const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env;
const child = spawn(process.execPath, [cli, 'build', ...process.argv.slice(2)], { env, stdio: ['inherit', 'pipe', 'pipe'] });

function pass(from, to) {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    if (!isNoise(line)) to.write(`${line}\n`);
  });
}
pass(child.stdout, process.stdout);
pass(child.stderr, process.stderr);
child.on('close', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
