/** Running mariadb-install-db and mariadbd: argv only (never a shell), output captured. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  output: string;
}

/** Run a program that ends by itself, `input` on its stdin. Never throws for a non-zero exit. */
export function run(file: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (err) => resolve({ code: 127, output: output + err.message }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), output: signal ? `${output}\n(stopped by ${signal}: timed out?)` : output }),
    );
  });
}

/** True when a process with this pid exists (any owner), not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true;
  }
}

/** The command line of a process, arguments joined by spaces ('' when gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Poll `probe` until true or `timeoutMs` passes. */
export async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The numeric uid and gid of a system user, or null when it does not exist. */
export async function systemUser(name: string): Promise<{ uid: number; gid: number } | null> {
  const uid = await run('/usr/bin/id', ['-u', name]);
  const gid = await run('/usr/bin/id', ['-g', name]);
  if (uid.code !== 0 || gid.code !== 0) return null;
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}
