/**
 * A site's files for the file manager. Each operation runs in a Node process started as the
 * site's system user (never as root; file-workers.ts), so even a check this code got wrong cannot reach
 * what that user cannot. Inside it, every path is resolved on the disk: a symlink (or a folder
 * on the way) that leads outside the document root is refused, writes open with O_NOFOLLOW.
 * Paths were checked with the SDK's `checkSitePath` before they get here.
 */
import type { FileWorkers, Owner } from './file-workers.js';
import {
  checkSitePath,
  SiteFileNotFound,
  SiteFileRefused,
  WebServerUnavailable,
  type SiteFileEntry,
  type SiteFileLimits,
  type SiteFiles,
  type SiteUnzipResult,
} from '@hostplane/sdk';
import { extractAs, planArchive } from './site-unzip.js';

interface WorkerError {
  kind: 'missing' | 'outside' | 'exists' | 'type' | 'too-large' | 'too-many' | 'mode' | 'archive' | 'io';
  code: string | null;
  message: string;
}

const TIMEOUT_MS = 60_000;
/** Copy, zip and unzip move up to hundreds of megabytes. */
const LONG_TIMEOUT_MS = 600_000;
const REFUSALS = new Set(['exists', 'type', 'too-large', 'too-many', 'mode', 'archive']);

/** The worker's answer, or its refusal as the SDK's errors (never a 500 for what the site holds). */
function answerOf<T>(result: { ok?: T; error?: WorkerError }, path: string): T {
  if (!result.error) return result.ok as T;
  const e = result.error;
  if (e.kind === 'missing') throw SiteFileNotFound(e.message || path);
  if (e.kind === 'outside') throw SiteFileRefused('outside', e.message);
  if (REFUSALS.has(e.kind)) throw SiteFileRefused(e.kind as 'exists', e.message);

  if (e.code === 'EACCES' || e.code === 'EPERM') throw SiteFileRefused('type', `the site's user may not do this: ${e.message}`);
  if (e.code === 'ENOTEMPTY' || e.code === 'ELOOP') throw SiteFileRefused('type', e.message);
  throw WebServerUnavailable(`file operation failed: ${e.message}`);
}

export class SiteFileManager implements SiteFiles {
  constructor(
    private readonly root: string,
    private readonly owner: () => Promise<Owner>,
    private readonly workers: FileWorkers,
  ) {}

  private async op<T>(
    request: Record<string, unknown>,
    input: { path: string; size?: number },
    timeout = TIMEOUT_MS,
  ): Promise<T> {
    const owner = await this.owner();
    const payload = JSON.stringify({ root: this.root, ...request });
    const result = JSON.parse(await this.workers.run(owner, payload, timeout)) as { ok?: T; error?: WorkerError };
    return answerOf(result, input.path);
  }

  async list(path: string): Promise<SiteFileEntry[]> {
    return this.op({ op: 'list', segments: checkSitePath(path) }, { path });
  }

  async read(path: string, maxBytes: number): Promise<{ content: Buffer; entry: SiteFileEntry }> {
    const r = await this.op<{ content: string; entry: SiteFileEntry }>(
      { op: 'read', segments: checkSitePath(path), maxBytes },
      { path },
    );
    return { content: Buffer.from(r.content, 'base64'), entry: r.entry };
  }

  async write(path: string, content: Buffer): Promise<SiteFileEntry> {
    return this.op({ op: 'write', segments: checkSitePath(path), content: content.toString('base64') }, { path });
  }

  async mkdir(path: string): Promise<SiteFileEntry> {
    return this.op({ op: 'mkdir', segments: checkSitePath(path) }, { path });
  }

  async rename(from: string, to: string): Promise<SiteFileEntry> {
    return this.op({ op: 'rename', segments: checkSitePath(from), to: checkSitePath(to) }, { path: from });
  }

  async chmod(path: string, mode: number): Promise<SiteFileEntry> {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777)
      throw SiteFileRefused('mode', 'a mode is 0 to 0777 (no setuid, setgid or sticky bit)');
    // The tree's group is the web server's (shared by every site) and others are every local
    // user: write access for either would let them change the site's files.
    if (mode & 0o022)
      throw SiteFileRefused('mode', 'group- and world-writable modes are refused: use 0644, 0640, 0600 or similar');
    return this.op({ op: 'chmod', segments: checkSitePath(path), mode }, { path });
  }

  /** Bytes and entries under paths (inside `base`), without following links; refused beyond the limits. */
  private measure(
    base: string[],
    paths: string[][],
    limits: SiteFileLimits,
    label: string,
  ): Promise<{ bytes: number; entries: number }> {
    const bounds = { maxBytes: limits.maxBytes, maxEntries: limits.maxEntries };
    return this.op({ op: 'measure', segments: base, paths, limits: bounds }, { path: label }, LONG_TIMEOUT_MS);
  }

  async copy(from: string, to: string, limits: SiteFileLimits): Promise<SiteFileEntry> {
    const segments = checkSitePath(from);
    const target = checkSitePath(to);
    if (segments.length === 0) throw SiteFileRefused('type', 'the site root itself cannot be copied');
    const { bytes } = await this.measure(segments.slice(0, -1), [segments.slice(-1)], limits, from);
    await limits.beforeWrite?.(bytes);
    const bounds = { maxBytes: limits.maxBytes, maxEntries: limits.maxEntries };
    return this.op({ op: 'copy', segments, to: target, limits: bounds }, { path: from }, LONG_TIMEOUT_MS);
  }

  async zip(base: string, names: string[], to: string, limits: SiteFileLimits): Promise<SiteFileEntry> {
    const segments = checkSitePath(base);
    const paths = names.map((n) => checkSitePath(n));
    if (paths.length === 0 || paths.some((p) => p.length === 0))
      throw SiteFileRefused('type', 'name the files and folders to zip');
    const target = checkSitePath(to);
    const { bytes } = await this.measure(segments, paths, limits, base);
    // The archive is at most about the size of what it holds.
    await limits.beforeWrite?.(bytes);
    const bounds = { maxBytes: limits.maxBytes, maxEntries: limits.maxEntries };
    return this.op({ op: 'zip', segments, names: paths, to: target, limits: bounds }, { path: base }, LONG_TIMEOUT_MS);
  }

  async unzip(archive: string, into: string, limits: SiteFileLimits & { maxArchiveBytes: number }): Promise<SiteUnzipResult> {
    const target = checkSitePath(into);
    const { content } = await this.read(archive, limits.maxArchiveBytes);
    const plan = await planArchive(content, limits);
    try {
      await limits.beforeWrite?.(plan.bytes);
    } catch (err) {
      plan.zip.close();
      throw err;
    }
    const answer = await extractAs(await this.owner(), this.root, target, plan, LONG_TIMEOUT_MS);
    return answerOf(answer as { ok?: SiteUnzipResult; error?: WorkerError }, into);
  }

  async remove(path: string): Promise<void> {
    const segments = checkSitePath(path);
    if (segments.length === 0) throw SiteFileRefused('type', 'the site root itself cannot be deleted');
    await this.op({ op: 'remove', segments }, { path });
  }
}
