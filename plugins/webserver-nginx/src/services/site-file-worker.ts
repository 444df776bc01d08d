/**
 * The script of file operations, run by `node -e` as the site's system user (site-files.ts,
 * file-workers.ts): reads JSON requests on stdin, one a line, and writes a JSON answer a line. Only Node's own modules: the site user
 * need not read the host's node_modules.
 */
export const WORKER = String.raw`
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
  // Names a zip list or an archive could not carry safely (control characters, NUL included).
  const odd = (n) => /[\u0000-\u001f\u007f]/.test(n);
  // Files and folders under p without following links: [relative name, stat]; links, special
  // files and odd names are left out. Refused beyond the limits before anything is written.
  const walk = (p, rel, acc, limits) => {
    const st = fs.lstatSync(p);
    if (!(st.isFile() || st.isDirectory())) return acc;
    if (++acc.entries > limits.maxEntries) fail('too-many', 'more than ' + limits.maxEntries + ' files and folders');
    acc.bytes += st.isFile() ? st.size : 0;
    if (acc.bytes > limits.maxBytes) fail('too-large', 'more than ' + limits.maxBytes + ' bytes');
    acc.items.push([rel, st]);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) if (!odd(n)) walk(path.join(p, n), rel + '/' + n, acc, limits);
    return acc;
  };
  // A name in the same folder as target, for work that is moved into place only when complete.
  const scratch = (target, what) => path.join(path.dirname(target), '.hostplane-' + what + '-' + require('crypto').randomBytes(6).toString('hex'));
  // Put a finished scratch file, link or folder at target without ever replacing what is there,
  // even when a parallel request made it meanwhile (rename alone would replace a file or an
  // empty folder): a hard link fails on an existing name, a folder takes the place of an empty
  // one made here (mkdir fails on an existing name; rename fails if it got content since).
  const settle = (tmp, target, label) => {
    try {
      if (fs.lstatSync(tmp).isDirectory()) { fs.mkdirSync(target, 0o750); fs.renameSync(tmp, target); }
      else { fs.linkSync(tmp, target); fs.unlinkSync(tmp); }
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (e.code === 'EEXIST' || e.code === 'ENOTEMPTY') fail('exists', label + ' exists already');
      throw e;
    }
  };
  // Copy without following links; new folders take the parent's setgid group (the web server's),
  // which a chmod by this user would drop, so folders keep the mode they are made with.
  const copyTree = (from, to) => {
    const st = fs.lstatSync(from);
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else if (st.isDirectory()) {
      fs.mkdirSync(to, 0o750);
      for (const n of fs.readdirSync(from)) copyTree(path.join(from, n), path.join(to, n));
    } else if (st.isFile()) {
      fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(to, st.mode & 0o755);
    }
  };
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
      const st = fs.statSync(target);
      // A folder's setgid bit hands the web server's group to new files; this user is not in
      // that group, so any chmod of it would drop the bit and NGINX could not read new files.
      const groups = [process.getegid(), ...process.getgroups()];
      if (st.isDirectory() && st.mode & 0o2000 && !groups.includes(st.gid))
        fail('mode', show(s) + ' is a folder the web server reads through its group: its mode stays ' + (st.mode & 0o7777).toString(8));
      fs.chmodSync(target, req.mode);
      return entry(target, name(s));
    }
    case 'measure': {
      const acc = { entries: 0, bytes: 0, items: [] };
      for (const segs of req.paths) {
        const p = inParent([...s, ...segs]);
        if (!lstat(p)) fail('missing', show([...s, ...segs]));
        if (!fs.lstatSync(p).isSymbolicLink()) existing([...s, ...segs]);
        walk(p, segs.join('/'), acc, req.limits);
      }
      return { entries: acc.entries, bytes: acc.bytes };
    }
    case 'copy': {
      const from = inParent(s);
      if (!lstat(from)) fail('missing', show(s));
      if (!fs.lstatSync(from).isSymbolicLink()) existing(s);
      const to = inParent(req.to);
      if (lstat(to)) fail('exists', show(req.to) + ' exists already');
      if (to === from || to.startsWith(from + path.sep)) fail('type', 'a folder cannot be copied into itself');
      walk(from, '', { entries: 0, bytes: 0, items: [] }, req.limits);
      const tmp = scratch(to, 'copy');
      try { copyTree(from, tmp); } catch (e) { fs.rmSync(tmp, { recursive: true, force: true }); throw e; }
      settle(tmp, to, show(req.to));
      return entry(to, name(req.to));
    }
    case 'zip': {
      const base = existing(s);
      if (!fs.statSync(base).isDirectory()) fail('type', show(s) + ' is not a folder');
      const to = inParent(req.to);
      if (lstat(to)) fail('exists', show(req.to) + ' exists already');
      const acc = { entries: 0, bytes: 0, items: [] };
      for (const segs of req.names) {
        const p = path.join(base, ...segs);
        if (!lstat(p)) fail('missing', show([...s, ...segs]));
        if (!fs.lstatSync(p).isSymbolicLink()) existing([...s, ...segs]);
        walk(p, segs.join('/'), acc, req.limits);
      }
      if (acc.items.length === 0) fail('type', 'nothing to zip: links and special files are left out');
      const tmp = scratch(to, 'zip') + '.zip';
      // -y stores a link swapped in meanwhile as a link (never what it points to); -nw: names
      // are names, not wildcards; -@: the list on stdin, one name a line (none holds a newline).
      const list = acc.items.map(([rel, st]) => (st.isDirectory() ? rel + '/' : rel)).join('\n') + '\n';
      const r = require('child_process').spawnSync('zip', ['-q', '-y', '-nw', '-X', tmp, '-@'], { cwd: base, input: list, maxBuffer: 1 << 20 });
      if (r.status !== 0) {
        fs.rmSync(tmp, { force: true });
        fail('io', 'zip failed (' + (r.error ? r.error.code : 'exit ' + r.status) + '): ' + String(r.stderr).trim().slice(0, 300));
      }
      fs.chmodSync(tmp, 0o640);
      settle(tmp, to, show(req.to));
      return entry(to, name(req.to));
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
// One request a line, one answer a line (JSON has no raw newline), until stdin ends: a worker
// takes its site user's next operations for a few seconds (file-workers.ts).
let input = '';
process.stdin.setEncoding('utf8').on('data', (d) => {
  input += d;
  let end;
  while ((end = input.indexOf('\n')) >= 0) {
    const line = input.slice(0, end);
    input = input.slice(end + 1);
    let out;
    try { out = { ok: run(JSON.parse(line)) }; }
    catch (e) { out = { error: { kind: e.kind || 'io', code: e.code || null, message: String(e.message) } }; }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
});
`;
