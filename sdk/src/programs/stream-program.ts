/**
 * A program wired to streams, for drivers that hand data to a tool (a database's dump and load
 * programs, an archiver): argv only, never a shell; secrets in the child's environment only
 * (never argv, which `ps` shows everyone).
 *
 * The rules that keep a dump honest: the output is never ended here (the caller decides, once
 * the program exited 0), and an error of the input (a dump that could not be read to its end)
 * kills the program before it sees an end of input, so a half dump never loads as if whole.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** How {@link streamProgram} runs its program. */
export interface StreamRun {
  /** Added to a minimal environment (`PATH`, `LANG=C.UTF-8`): the program sees nothing else of ours. */
  env: Record<string, string>;
  /** Written to the program's stdin, to its end. */
  input?: Readable;
  /** Receives the program's stdout; never ended here. */
  output?: Writable;
  /** Aborting kills the program (SIGKILL) and rejects. */
  signal?: AbortSignal;
}

const STDERR_MAX = 64 * 1024;

/**
 * Run `file` with `args`; resolves with the bytes written to `output` once it exited 0. Rejects
 * with the last lines of its stderr when it exits otherwise, and when the input, the output or
 * the signal fails it (the program is killed first).
 */
export function streamProgram(file: string, args: string[], run: StreamRun): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...run.env },
      stdio: [run.input ? 'pipe' : 'ignore', run.output ? 'pipe' : 'ignore', 'pipe'],
      cwd: '/',
    });
    let stderr = '';
    let bytes = 0;
    let failure: Error | null = null;
    const fail = (err: Error) => {
      if (failure) return;
      failure = err;
      // SIGKILL: the program must not get to treat the end of its input as the end of the dump.
      child.kill('SIGKILL');
      // Its stdout may be paused for a drain that never comes (the reader failed): drain it
      // into nothing, or it never closes and neither does the child.
      child.stdout?.resume();
    };
    const onAbort = () => fail(new Error(`${file} was stopped`));
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < STDERR_MAX) stderr += d;
    });
    const out = run.output;
    const outError = (err: Error) => fail(err);
    if (out) {
      out.on('error', outError);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (failure) return;
        bytes += chunk.length;
        if (!out.write(chunk)) {
          child.stdout!.pause();
          out.once('drain', () => child.stdout!.resume());
        }
      });
    }
    const input = run.input;
    const inError = (err: Error) => fail(err);
    // An input that failed before the program started (see catchEarly) never ends.
    if (input?.errored || input?.destroyed) fail(input.errored ?? new Error('the input was closed before its end'));
    if (input) {
      input.on('error', inError);
      // The program may exit early (a bad dump): what is left to write goes nowhere.
      child.stdin!.on('error', () => undefined);
      input.pipe(child.stdin!);
    }
    child.on('error', fail);
    child.on('close', (code, signal) => {
      run.signal?.removeEventListener('abort', onAbort);
      out?.off('error', outError);
      if (input) {
        input.off('error', inError);
        input.unpipe(child.stdin!);
      }
      if (failure) return reject(failure);
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        return reject(new Error(`${file} failed (${signal ? `killed by ${signal}` : `exit ${code}`})${tail ? `: ${tail}` : ''}`));
      }
      resolve({ bytes });
    });
  });
}

/**
 * Keep an error of `input` emitted while the driver still prepares (drops, creates) from
 * becoming an uncaught exception; streamProgram sees it through `input.errored`.
 */
export function catchEarly(input: Readable): () => void {
  const ignore = () => undefined;
  input.on('error', ignore);
  return () => input.off('error', ignore);
}
