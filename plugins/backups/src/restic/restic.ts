/**
 * restic, run as a child process: one repository (location + password), `--json` output parsed.
 * The password reaches restic through a pipe-less env variable of the child only (never argv,
 * which `ps` shows to every user).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { BackupsErrors } from '../errors.js';
import { hostKeyRefused, sshLogFrom } from '../services/sftp.js';
import { addCheapKey, isGeneratedPassword } from './cheap-key.js';
import { parseResticLine, type ResticStatus, type ResticSummary } from './progress.js';

export interface Repository {
  /** restic's `-r` value: a folder, or `s3:https://…/bucket/path`. */
  location: string;
  password: string;
  /** Extra environment (S3 credentials). */
  env?: Record<string, string>;
  /** Extra global options (`--cacert`). */
  options?: string[];
  /** The file ssh logs to, for an SFTP target: its lines join restic's stderr (see `sshCommand`). */
  sshLog?: string;
}

export interface ResticOptions {
  binary: string;
  /** restic's cache folder (speeds up later runs; safe to lose). */
  cacheDir: string;
  /** KiB/s for uploads to the repository; 0 = unlimited. */
  limitUploadKiB: number;
  /** KiB/s for downloads from the repository (restores); 0 = unlimited. */
  limitDownloadKiB: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A snapshot as `restic snapshots --json` lists it. */
export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  tags?: string[];
}

/** An entry of `restic ls --json`. */
export interface ResticNode {
  path: string;
  type: string;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

export class Restic {
  constructor(private readonly options: ResticOptions) {}

  private env(repo: Repository): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/root',
      RESTIC_REPOSITORY: repo.location,
      RESTIC_PASSWORD: repo.password,
      RESTIC_CACHE_DIR: this.options.cacheDir,
      // Status lines a few times a second, whatever the terminal.
      RESTIC_PROGRESS_FPS: '4',
      ...repo.env,
    };
  }

  /** Start restic; `onLine` sees each stdout line as it comes. */
  spawn(
    repo: Repository,
    args: string[],
    opts: { cwd?: string; onLine?: (line: string) => void; signal?: AbortSignal } = {},
  ): { child: ChildProcess; done: Promise<RunResult> } {
    const sshLog = sshLogFrom(repo.sshLog);
    const child = spawn(this.options.binary, [...(repo.options ?? []), ...args], {
      cwd: opts.cwd,
      env: this.env(repo),
      stdio: ['ignore', 'pipe', 'pipe'],
      // restic removes its lock on SIGINT (what an abort sends).
      ...(opts.signal ? { signal: opts.signal, killSignal: 'SIGINT' as const } : {}),
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
      if (!opts.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) opts.onLine(line);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
    });
    const done = new Promise<RunResult>((resolve) => {
      child.on('error', (err) => resolve({ code: 127, signal: null, stdout, stderr: stderr + String(err.message) }));
      child.on('close', (code, signal) => {
        if (pending && opts.onLine) opts.onLine(pending);
        resolve({ code, signal, stdout, stderr: stderr + sshLog() });
      });
    });
    return { child, done };
  }

  async run(repo: Repository, args: string[], opts: { cwd?: string } = {}): Promise<RunResult> {
    return this.spawn(repo, args, opts).done;
  }

  /** Run and throw BACKUPS_ERR_RESTIC unless it exits 0. */
  async ok(repo: Repository, args: string[], opts: { cwd?: string } = {}): Promise<string> {
    const r = await this.run(repo, args, opts);
    if (r.code !== 0) throw failure(repo, args[0] ?? '', r);
    return r.stdout;
  }

  /** Create the repository when there is none (idempotent: an existing one is opened, not replaced). */
  async ensureRepository(repo: Repository): Promise<'created' | 'existed'> {
    const probe = await this.run(repo, ['cat', 'config']);
    if (probe.code === 0) return 'existed';
    const init = await this.run(repo, ['init']);
    if (init.code === 0) {
      await this.cheapenKey(repo);
      return 'created';
    }
    // Two hosts initialising at once: the other one won.
    if ((await this.run(repo, ['cat', 'config'])).code === 0) return 'existed';
    throw failure(repo, 'init', init);
  }

  /**
   * A local repository just made with a password the plugin made: its key re-wrapped with a
   * cheap scrypt (see cheap-key.ts), kept only once restic has opened the repository with it.
   * Anything amiss leaves restic's own key, which works as before.
   */
  private async cheapenKey(repo: Repository): Promise<void> {
    if (!repo.location.startsWith('/') || !isGeneratedPassword(repo.password)) return;
    const added = await addCheapKey(repo.location, repo.password).catch(() => null);
    if (!added) return;
    const opened = await this.run(repo, ['--key-hint', added.id, 'cat', 'config']);
    await (opened.code === 0 ? added.retire() : added.discard());
  }

  /** Remove stale locks only (restic's own rule: the process is gone, or the lock is 30 min old). */
  async unlockStale(repo: Repository): Promise<void> {
    await this.ok(repo, ['unlock']);
  }

  async lockCount(repo: Repository): Promise<number> {
    const out = await this.ok(repo, ['list', 'locks', '--no-lock']);
    return out.split('\n').filter((l) => l.trim()).length;
  }

  /**
   * Back up the current folder `cwd` (restic stores its content at the snapshot's root).
   * Resolves with the summary; rejects with the restic error, or BACKUPS_ERR_INTERRUPTED when
   * the process was killed.
   */
  backup(
    repo: Repository,
    cwd: string,
    input: { tags: string[]; excludes: string[]; host: string; time?: Date },
    hooks: { onStatus?: (s: ResticStatus) => void; onStart?: (pid: number | undefined) => void; signal?: AbortSignal },
  ): Promise<ResticSummary> {
    const args = ['backup', '--json', '--host', input.host, '--one-file-system'];
    if (input.time) args.push('--time', resticTime(input.time));
    for (const tag of input.tags) args.push('--tag', tag);
    for (const ex of input.excludes) args.push('--exclude', ex);
    if (this.options.limitUploadKiB > 0) args.push('--limit-upload', String(this.options.limitUploadKiB));
    args.push('.');
    let summary: ResticSummary | undefined;
    const { child, done } = this.spawn(repo, args, {
      cwd,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onLine: (line) => {
        const parsed = parseResticLine(line);
        if (parsed?.kind === 'status') hooks.onStatus?.(parsed.status);
        else if (parsed?.kind === 'summary') summary = parsed.summary;
      },
    });
    hooks.onStart?.(child.pid);
    return done.then((r) => {
      if (hooks.signal?.aborted) throw BackupsErrors.interrupted('cancelled');
      if (r.signal) throw BackupsErrors.interrupted(`restic was stopped by ${r.signal}`);
      // Exit 3: the snapshot was made but some files could not be read; treated as a failure.
      if (r.code !== 0 || !summary) throw failure(repo, 'backup', r);
      return summary;
    });
  }

  /**
   * Back up what `feed` writes as one file, `filename`, at the snapshot's root (`--stdin`).
   * restic keeps a snapshot of whatever it read once its input ends, so the input is ended
   * only after `feed` resolved; when `feed` rejects (the dump failed), restic is killed before
   * it sees an end and keeps nothing (the lock it leaves is stale, removed by the next unlock).
   */
  async backupStdin(
    repo: Repository,
    input: { filename: string; tags: string[]; host: string },
    feed: (stdin: Writable) => Promise<unknown>,
    hooks: { onStart?: (pid: number | undefined) => void; signal?: AbortSignal } = {},
  ): Promise<ResticSummary> {
    const args = ['backup', '--json', '--host', input.host, '--stdin', '--stdin-filename', input.filename];
    for (const tag of input.tags) args.push('--tag', tag);
    if (this.options.limitUploadKiB > 0) args.push('--limit-upload', String(this.options.limitUploadKiB));
    const sshLog = sshLogFrom(repo.sshLog);
    const child = spawn(this.options.binary, [...(repo.options ?? []), ...args], {
      env: this.env(repo),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    hooks.onStart?.(child.pid);
    let summary: ResticSummary | undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = parseResticLine(line);
        if (parsed?.kind === 'summary') summary = parsed.summary;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
    });
    // restic gone early (a lock, a bad repository): the feeder's writes fail and it stops.
    child.stdin.on('error', () => undefined);
    const exited = new Promise<RunResult>((resolve) => {
      child.on('error', (err) => resolve({ code: 127, signal: null, stdout: '', stderr: stderr + err.message }));
      child.on('close', (code, signal) => {
        const last = parseResticLine(stdout);
        if (last?.kind === 'summary') summary = last.summary;
        resolve({ code, signal, stdout: '', stderr: stderr + sshLog() });
      });
    });
    const kill = () => child.kill('SIGKILL');
    hooks.signal?.addEventListener('abort', kill, { once: true });
    try {
      try {
        if (hooks.signal?.aborted) throw BackupsErrors.interrupted('cancelled');
        await feed(child.stdin);
      } catch (err) {
        kill();
        await exited;
        throw err;
      }
      if (hooks.signal?.aborted) throw BackupsErrors.interrupted('cancelled');
      child.stdin.end();
      const r = await exited;
      if (hooks.signal?.aborted) throw BackupsErrors.interrupted('cancelled');
      if (r.signal) throw BackupsErrors.interrupted(`restic was stopped by ${r.signal}`);
      if (r.code !== 0 || !summary) throw failure(repo, 'backup', r);
      return summary;
    } finally {
      hooks.signal?.removeEventListener('abort', kill);
    }
  }

  /**
   * `restic dump` of one file of a snapshot, handed to `consume` as a stream that ends only if
   * restic exited 0; otherwise it fails with restic's error (a half file never looks whole).
   */
  async dumpFile<T>(
    repo: Repository,
    snapshot: string,
    file: string,
    consume: (stream: Readable) => Promise<T>,
    hooks: { onStart?: (pid: number | undefined) => void } = {},
  ): Promise<T> {
    const args = ['dump', '--no-lock', snapshot, file];
    if (this.options.limitDownloadKiB > 0) args.unshift('--limit-download', String(this.options.limitDownloadKiB));
    const sshLog = sshLogFrom(repo.sshLog);
    const child = spawn(this.options.binary, [...(repo.options ?? []), ...args], {
      env: this.env(repo),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hooks.onStart?.(child.pid);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
    });
    const out = new PassThrough();
    // The consumer learns of a failure through its own listener or `out.errored`; one that
    // stopped listening must not turn restic's late error into an uncaught exception.
    out.on('error', () => undefined);
    child.stdout.pipe(out, { end: false });
    const exited = new Promise<void>((resolve) => {
      child.on('error', (err) => {
        out.destroy(BackupsErrors.restic('dump', err.message));
        resolve();
      });
      child.on('close', (code, signal) => {
        if (code === 0) out.end();
        else out.destroy(failure(repo, 'dump', { code, signal, stdout: '', stderr: stderr + sshLog() }));
        resolve();
      });
    });
    try {
      return await consume(out);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // A consumer that stopped reading leaves restic's stdout paused: drain it, or it never
      // closes and neither does the child.
      child.stdout.unpipe(out);
      child.stdout.resume();
      await exited;
    }
  }

  /** Forget these snapshots (their data goes at the next prune). */
  async forget(repo: Repository, ids: string[]): Promise<void> {
    if (ids.length) await this.ok(repo, ['forget', ...ids]);
  }

  async snapshots(repo: Repository, tags: string[] = []): Promise<ResticSnapshot[]> {
    const args = ['snapshots', '--json', '--no-lock'];
    if (tags.length) args.push('--tag', tags.join(','));
    return JSON.parse((await this.ok(repo, args)) || '[]') as ResticSnapshot[];
  }

  /**
   * Bytes the repository stores for these snapshots together (`stats --mode raw-data`: each blob
   * they reference counted once, as stored: after deduplication and compression). No ids: 0 (restic
   * would count every snapshot). `--no-lock`: a measurement must not wait for a prune.
   */
  async rawDataSize(repo: Repository, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const out = await this.ok(repo, ['stats', '--json', '--no-lock', '--mode', 'raw-data', ...ids]);
    const stats = JSON.parse(out) as { total_size?: number };
    return Number(stats.total_size ?? 0);
  }

  /** Entries of a snapshot under `path` (`/` for all), or null when the snapshot does not exist. */
  async ls(repo: Repository, snapshot: string, path: string): Promise<ResticNode[] | null> {
    const r = await this.run(repo, ['ls', '--json', '--no-lock', snapshot, path]);
    if (r.code !== 0) {
      if (/no matching ID found|not found|invalid id/i.test(r.stderr)) return null;
      throw failure(repo, 'ls', r);
    }
    const nodes: ResticNode[] = [];
    // restic 0.14 answers an unknown snapshot with exit 0, a warning and no snapshot line.
    let found = false;
    for (const line of r.stdout.split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as { struct_type?: string; path?: string; type?: string; tree?: string };
      if (o.struct_type === 'snapshot' || typeof o.tree === 'string') found = true;
      else if (o.struct_type === 'node' && typeof o.path === 'string') nodes.push({ path: o.path, type: String(o.type) });
    }
    return found ? nodes : null;
  }

  /** Restore `snapshot` (or only `include`) into the empty folder `target`. */
  async restore(repo: Repository, snapshot: string, target: string, include: string | null): Promise<void> {
    const args = ['restore', snapshot, '--target', target];
    if (this.options.limitDownloadKiB > 0) args.push('--limit-download', String(this.options.limitDownloadKiB));
    if (include) args.push('--include', include);
    await this.ok(repo, args);
  }
}

/** restic's `--time` format: local time, `2006-01-02 15:04:05`. */
export function resticTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** restic's failure as an error: a refused SSH host key said plainly, anything else as restic's own words. */
export function failure(repo: Repository, command: string, r: RunResult): Error {
  if (hostKeyRefused(r.stderr)) return BackupsErrors.hostKeyRefused(repo.location);
  return BackupsErrors.restic(command, describe(r));
}

/** The last lines of stderr (restic's error) or the exit status. */
export function describe(r: RunResult): string {
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  const tail = lines.slice(-3).join(' | ');
  const status = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  return tail ? `${tail} (${status})` : status;
}
