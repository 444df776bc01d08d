/** Running system programs: argv only (never a shell), output captured, exit code kept. */
import { spawn } from 'node:child_process';
import { promises as fs, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program that ends by itself (`nginx -t`, `useradd`, `tar`). Never throws for a non-zero exit. */
export function run(
  file: string,
  args: string[],
  options: { timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 30_000,
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: stderr + String(err.message) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/**
 * Run a program that daemonizes (nginx, php-fpm): the foreground process exits once the daemon
 * is up or failed, but the daemon may keep inherited pipes open, so its output goes to a file
 * read after the foreground process exits.
 */
export async function runDaemonizing(file: string, args: string[]): Promise<RunResult> {
  const outFile = path.join(os.tmpdir(), `hp-webserver-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.log`);
  const fd = openSync(outFile, 'w', 0o600);
  try {
    const code = await new Promise<number>((resolve) => {
      const child = spawn(file, args, { stdio: ['ignore', fd, fd], detached: true });
      child.on('error', () => resolve(127));
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    const output = await fs.readFile(outFile, 'utf8').catch(() => '');
    return { code, stdout: '', stderr: output };
  } finally {
    closeSync(fd);
    await fs.rm(outFile, { force: true });
  }
}

/** True when a process with this pid exists (any owner). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while the process exists and is not a zombie. A daemon's parent is init, and an init
 * that reaps late (some container inits do) leaves an exited master visible for seconds.
 */
export async function isRunning(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of a process, or null when it is gone. */
export async function cmdline(pid: number): Promise<string | null> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

/** Pids of a process's direct children (Linux). */
export async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text
      .split(/\s+/)
      .filter(Boolean)
      .map((s) => Number(s));
  } catch {
    return [];
  }
}

/** Poll `check` until it returns true or `timeoutMs` passes; resolves to whether it became true. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Read a pidfile; null when absent or garbage. */
export async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number((await fs.readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}
