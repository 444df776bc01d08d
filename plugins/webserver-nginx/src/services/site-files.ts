/**
 * A site's files for the file manager. Each operation runs in a short-lived Node process started
 * as the site's system user (never as root), so even a check this code got wrong cannot reach
 * what that user cannot. Inside it, every path is resolved on the disk: a symlink (or a folder
 * on the way) that leads outside the document root is refused, writes open with O_NOFOLLOW.
 * Paths were checked with the SDK's `checkSitePath` before they get here.
 */
import { spawn } from 'node:child_process';
import {
  checkSitePath,
  SiteFileNotFound,
  SiteFileRefused,
  WebServerUnavailable,
  type SiteFileEntry,
  type SiteFiles,
} from '@hostplane/sdk';

/** The operation, run by `node -e` as the site user; reads a JSON request on stdin, writes a JSON answer. */
const WORKER = String.raw`
const fs = require('fs');
const path = require('path');
const fail = (kind, message) => { const e = new Error(message); e.kind = kind; throw e; };
function run(req) {
  let R;
  try { R = fs.realpathSync(req.root); } catch { fail('missing', ''); }
  const inside = (p) => p === R || p.startsWith(R + path.sep);
  const show = (segs) => segs.join('/') || '/';
  const existing = (segs) => {
    let real;
    try { real = fs.realpathSync(path.join(R, ...segs)); }
    catch (e) { if (e.code === 'ENOENT' || e.code === 'ENOTDIR') fail('missing', show(segs)); throw e; }
    if (!inside(real)) fail('outside', show(segs) + ' leads outside the site');
    return real;
  };
  const inParent = (segs) => {
    if (segs.length === 0) fail('type', 'not on the site root itself');
    const dir = existing(segs.slice(0, -1));
    if (!fs.statSync(dir).isDirectory()) fail('type', show(segs.slice(0, -1)) + ' is not a folder');
    return path.join(dir, segs[segs.length - 1]);
  };
  const lstat = (p) => { try { return fs.lstatSync(p); } catch (e) { if (e.code === 'ENOENT') return null; throw e; } };
  const entry = (p, name) => {
    const st = fs.lstatSync(p);
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
    return { name, type, size: st.size, mode: '0' + (st.mode & 0o777).toString(8).padStart(3, '0'), modifiedAt: st.mtime.toISOString() };
  };
  const name = (segs) => segs[segs.length - 1] || '';
  const s = req.segments;
  switch (req.op) {
    case 'list': {
      const dir = existing(s);
      if (!fs.statSync(dir).isDirectory()) fail('type', show(s) + ' is not a folder');
      return fs.readdirSync(dir).sort().map((n) => entry(path.join(dir, n), n));
    }
    case 'read': {
      const file = existing(s);
      const st = fs.statSync(file);
      if (!st.isFile()) fail('type', show(s) + ' is not a file');
      if (st.size > req.maxBytes) fail('too-large', show(s) + ' is larger than ' + req.maxBytes + ' bytes');
      return { content: fs.readFileSync(file).toString('base64'), entry: entry(file, name(s)) };
    }
    case 'write': {
      let target = inParent(s);
      const st = lstat(target);
      if (st && st.isSymbolicLink()) target = existing(s);
      if (st && fs.statSync(target).isDirectory()) fail('type', show(s) + ' is a folder');
      const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o640);
      try { fs.writeSync(fd, Buffer.from(req.content, 'base64')); } finally { fs.closeSync(fd); }
      return entry(target, name(s));
    }
    case 'mkdir': {
      const target = inParent(s);
      if (lstat(target)) fail('exists', show(s) + ' exists already');
      fs.mkdirSync(target, 0o750);
      return entry(target, name(s));
    }
    case 'rename': {
      const from = inParent(s);
      if (!lstat(from)) fail('missing', show(s));
      const to = inParent(req.to);
      if (lstat(to)) fail('exists', show(req.to) + ' exists already');
      if (to === from || to.startsWith(from + path.sep)) fail('type', 'a folder cannot move into itself');
      fs.renameSync(from, to);
      return entry(to, name(req.to));
    }
    case 'chmod': {
      const target = existing(s);
      fs.chmodSync(target, req.mode);
      return entry(target, name(s));
    }
    case 'remove': {
      const target = inParent(s);
      if (!lstat(target)) fail('missing', show(s));
      fs.rmSync(target, { recursive: true, force: false });
      return null;
    }
  }
  fail('type', 'unknown operation');
}
let input = '';
process.stdin.setEncoding('utf8').on('data', (d) => (input += d)).on('end', () => {
  let out;
  try { out = { ok: run(JSON.parse(input)) }; }
  catch (e) { out = { error: { kind: e.kind || 'io', code: e.code || null, message: String(e.message) } }; }
  process.stdout.write(JSON.stringify(out));
});
`;

type Owner = { uid: number; gid: number } | null;

interface WorkerError {
  kind: 'missing' | 'outside' | 'exists' | 'type' | 'too-large' | 'io';
  code: string | null;
  message: string;
}

const TIMEOUT_MS = 60_000;

export class SiteFileManager implements SiteFiles {
  constructor(
    private readonly root: string,
    private readonly owner: () => Promise<Owner>,
  ) {}

  private async op<T>(request: Record<string, unknown>, input: { path: string; size?: number }): Promise<T> {
    const owner = await this.owner();
    const payload = JSON.stringify({ root: this.root, ...request });
    const result = await new Promise<{ ok?: T; error?: WorkerError }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', WORKER], {
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: TIMEOUT_MS,
        cwd: '/',
        env: { PATH: '/usr/bin:/bin' },
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', reject);
      child.on('close', () => {
        try {
          resolve(JSON.parse(out) as { ok?: T; error?: WorkerError });
        } catch {
          reject(new Error(`file operation failed: ${err.trim().split('\n').slice(-3).join(' ') || 'no answer'}`));
        }
      });
      child.stdin.end(payload);
    });
    if (!result.error) return result.ok as T;
    const e = result.error;
    if (e.kind === 'missing') throw SiteFileNotFound(e.message || input.path);
    if (e.kind === 'outside') throw SiteFileRefused('outside', e.message);
    if (e.kind === 'exists' || e.kind === 'type' || e.kind === 'too-large') throw SiteFileRefused(e.kind, e.message);
    if (e.code === 'EACCES' || e.code === 'EPERM') throw SiteFileRefused('type', `the site's user may not do this: ${e.message}`);
    if (e.code === 'ENOTEMPTY' || e.code === 'ELOOP') throw SiteFileRefused('type', e.message);
    throw WebServerUnavailable(`file operation failed: ${e.message}`);
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
    return this.op({ op: 'chmod', segments: checkSitePath(path), mode }, { path });
  }

  async remove(path: string): Promise<void> {
    const segments = checkSitePath(path);
    if (segments.length === 0) throw SiteFileRefused('type', 'the site root itself cannot be deleted');
    await this.op({ op: 'remove', segments }, { path });
  }
}
