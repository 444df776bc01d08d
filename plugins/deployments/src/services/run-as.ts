/**
 * Run one program as a site's user: the user's uid and own group (never the web server's group,
 * which reads every site), umask 027 (files 640, folders 750: the web server reads them through
 * the group the releases folder hands down), a small fixed environment, no standard input, its
 * own process group so the time limit kills what it started too. Output goes to `onOutput` as
 * it comes (the deployment's log).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface Identity {
  /** null: this process's own user (a host that is not root: development). */
  uid: number | null;
  gid: number | null;
}

export interface RunOptions extends Identity {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  onOutput?: (chunk: Buffer) => void;
}

export interface RunOutcome {
  exitCode: number;
  timedOut: boolean;
  /** Set when the program could not be started at all. */
  startError: string | null;
}

export function runAs(o: RunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    // `exec "$@"`: the argv reaches the program as separate words, never through a shell's parsing.
    const child = spawn('/bin/sh', ['-c', 'umask 027 && exec "$@"', 'hostplane-deploy', ...o.argv], {
      cwd: o.cwd,
      ...(o.uid !== null ? { uid: o.uid } : {}),
      ...(o.gid !== null ? { gid: o.gid } : {}),
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, o.timeoutMs);
    child.stdout.on('data', (d: Buffer) => o.onOutput?.(d));
    child.stderr.on('data', (d: Buffer) => o.onOutput?.(d));
    let settled = false;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    child.once('error', (err) => finish({ exitCode: 127, timedOut: false, startError: err.message }));
    // The leader is gone (done, or killed from outside): whatever it left running in its group goes too,
    // or a leftover holding the output pipes open would keep the deployment waiting.
    child.once('exit', () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // nothing left
      }
    });
    child.once('close', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      finish({ exitCode, timedOut, startError: null });
    });
  });
}
