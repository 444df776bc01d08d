/**
 * The script that writes an extracted archive, run by `node -e` as the site's system user
 * (site-unzip.ts). stdin: one JSON line (root, destination, the entries to write) and then the
 * bytes of every file entry, one after another. Everything goes into a fresh scratch folder
 * inside the destination; only when every byte has arrived are its top-level names moved into
 * place, each to a name that does not exist (so nothing is written through a link already in
 * the site). On any failure the scratch folder goes and what was moved is moved back.
 */
export const UNZIP_WORKER = String.raw`
const fs = require('fs');
const path = require('path');
const fail = (kind, message) => { const e = new Error(message); e.kind = kind; throw e; };
const lstat = (p) => { try { return fs.lstatSync(p); } catch (e) { if (e.code === 'ENOENT') return null; throw e; } };
let header = null, pending = Buffer.alloc(0), error = null, tmp = null, made = null;
let files = [], current = -1, fd = null, left = 0, written = 0;
function setup(req) {
  let R;
  try { R = fs.realpathSync(req.root); } catch { fail('missing', ''); }
  const inside = (p) => p === R || p.startsWith(R + path.sep);
  const show = (segs) => segs.join('/') || '/';
  // The destination: made if missing (its parent must exist), never reached through a link out.
  const parent = req.into.slice(0, -1);
  let dir;
  try { dir = fs.realpathSync(path.join(R, ...parent)); } catch { fail('missing', show(parent)); }
  if (!inside(dir)) fail('outside', show(parent) + ' leads outside the site');
  if (req.into.length > 0) {
    const leaf = path.join(dir, req.into[req.into.length - 1]);
    // A parallel request may make it first: then it is that request's folder, and ours to fill.
    try { fs.mkdirSync(leaf, 0o750); made = leaf; } catch (e) { if (e.code !== 'EEXIST') throw e; }
    dir = fs.realpathSync(leaf);
    if (!inside(dir)) fail('outside', show(req.into) + ' leads outside the site');
  }
  if (!fs.statSync(dir).isDirectory()) fail('type', show(req.into) + ' is not a folder');
  tmp = path.join(dir, '.hostplane-unzip-' + require('crypto').randomBytes(6).toString('hex'));
  fs.mkdirSync(tmp, 0o700);
  for (const e of req.entries) {
    const target = path.join(tmp, ...e.segments);
    if (e.type === 'directory') fs.mkdirSync(target, { recursive: true, mode: 0o750 });
    else { fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o750 }); files.push({ target, size: e.size }); }
  }
  return dir;
}
// Open the next file; O_EXCL and O_NOFOLLOW: a name is written once, never through a link.
function next() {
  while (fd === null && current + 1 < files.length) {
    current++;
    fd = fs.openSync(files[current].target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o640);
    left = files[current].size;
    if (left === 0) { fs.closeSync(fd); fd = null; }
  }
}
function take(chunk) {
  while (chunk.length > 0) {
    next();
    if (fd === null) fail('archive', 'the archive holds more data than its entries declare');
    const n = Math.min(left, chunk.length);
    fs.writeSync(fd, chunk, 0, n);
    left -= n; written += n; chunk = chunk.subarray(n);
    if (left === 0) { fs.closeSync(fd); fd = null; }
  }
}
let dest = null;
process.stdin.on('data', (d) => {
  if (error) return;
  try {
    if (!header) {
      pending = Buffer.concat([pending, d]);
      const nl = pending.indexOf(10);
      if (nl < 0) return;
      header = JSON.parse(pending.subarray(0, nl).toString('utf8'));
      dest = setup(header);
      d = pending.subarray(nl + 1);
      pending = null;
    }
    take(d);
  } catch (e) { error = e; }
});
process.stdin.on('end', () => {
  let out;
  const moved = [];
  try {
    if (error) throw error;
    if (!header) fail('archive', 'no request');
    next();
    if (fd !== null || current + 1 < files.length) fail('archive', 'the archive ended before every entry was extracted');
    const names = fs.readdirSync(tmp);
    const taken = names.filter((n) => lstat(path.join(dest, n)));
    if (taken.length) fail('exists', taken.slice(0, 5).join(', ') + (taken.length > 5 ? ' …' : '') + ' exists already in the folder');
    // Never replacing a name made meanwhile by a parallel request (see settle in site-file-worker.ts).
    for (const n of names) {
      const from = path.join(tmp, n), to = path.join(dest, n);
      try {
        if (fs.lstatSync(from).isDirectory()) {
          fs.mkdirSync(to, 0o750);
          // ENOTEMPTY: someone filled the folder made here meanwhile; it is theirs now.
          try { fs.renameSync(from, to); } catch (e) { if (e.code !== 'ENOTEMPTY') try { fs.rmdirSync(to); } catch {} throw e; }
        } else { fs.linkSync(from, to); fs.unlinkSync(from); }
      } catch (e) {
        if (e.code === 'EEXIST' || e.code === 'ENOTEMPTY') fail('exists', n + ' exists already in the folder');
        throw e;
      }
      moved.push(n);
    }
    fs.rmdirSync(tmp);
    out = { ok: { entries: header.entries.length, bytes: written } };
  } catch (e) {
    try { if (fd !== null) fs.closeSync(fd); } catch {}
    // Undo: what was placed goes back into the scratch folder, which then goes.
    for (const n of moved) {
      try { fs.rmSync(path.join(tmp, n), { recursive: true, force: true }); fs.renameSync(path.join(dest, n), path.join(tmp, n)); } catch {}
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (made) { try { fs.rmdirSync(made); } catch {} }
    out = { error: { kind: e.kind || 'io', code: e.code || null, message: String(e.message) } };
  }
  process.stdout.write(JSON.stringify(out));
});
`;
