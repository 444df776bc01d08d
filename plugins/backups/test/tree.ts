/** A tree of files with odd names, modes, links; and a digest of every path, mode, owner and content. */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Every entry under `root` (sorted), one line each; owners equal to `owner` read as `site`. */
/** Owners of a site's files: the tree's uid/gid, and the site user's own group (its app folder). */
export interface Owners {
  uid: number;
  gid: number;
  userGid?: number;
}

export async function treeLines(root: string, owner: Owners, skip: string[] = []): Promise<string[]> {
  const lines: string[] = [];
  const inodes = new Map<string, string>();
  async function walk(dir: string): Promise<void> {
    const names = (await fs.readdir(dir)).filter((n) => dir !== root || !skip.includes(n)).sort();
    for (const name of names) {
      const full = path.join(dir, name);
      const rel = JSON.stringify(path.relative(root, full));
      const st = await fs.lstat(full);
      const who =
        st.uid !== owner.uid
          ? `${st.uid}:${st.gid}`
          : st.gid === owner.gid
            ? 'site'
            : st.gid === owner.userGid
              ? 'site:user-group'
              : `site:${st.gid}`;
      const mode = (st.mode & 0o7777).toString(8);
      let what: string;
      if (st.isSymbolicLink()) what = `link -> ${JSON.stringify(await fs.readlink(full))}`;
      else if (st.isDirectory()) what = 'dir';
      else if (st.isFile()) {
        const digest = createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
        // Hard links: the first path of an inode names the group every other one joins.
        const inode = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? (inodes.get(inode) ?? (inodes.set(inode, rel), rel)) : null;
        what = `file ${digest}${first ? ` links=${st.nlink} group=${first}` : ''}`;
      } else what = 'other';
      lines.push(`${rel} ${mode} ${who} ${what}`);
      if (st.isDirectory()) await walk(full);
    }
  }
  await walk(root);
  return lines;
}

export async function treeDigest(root: string, owner: Owners, skip: string[] = []): Promise<string> {
  return createHash('sha256')
    .update((await treeLines(root, owner, skip)).join('\n'))
    .digest('hex');
}

/** Write the odd tree under `root` (which exists), owned by `owner`. */
export async function writeOddTree(root: string, owner: { uid: number; gid: number }): Promise<void> {
  const dirs = ['a dir with spaces', 'ünïcödé ✓', 'deep/er/still', 'empty', 'line\nbreak dir', 'glob[1]*?'];
  for (const d of dirs) await fs.mkdir(path.join(root, d), { recursive: true, mode: 0o750 });
  const files: Array<[string, string | Buffer, number]> = [
    ['index.html', '<h1>hello</h1>\n', 0o640],
    ['a dir with spaces/file with spaces.txt', 'spaces\n', 0o640],
    ['ünïcödé ✓/日本語.txt', 'unicode\n', 0o600],
    ['line\nbreak dir/new\nline.txt', 'newline in the name\n', 0o644],
    ['deep/er/still/script.sh', '#!/bin/sh\necho hi\n', 0o750],
    ['deep/er/still/binary.bin', Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)), 0o640],
    ['glob[1]*?/star*.txt', 'glob characters\n', 0o640],
    ['empty-file', '', 0o400],
    ['tab\tname', 'tab\n', 0o640],
  ];
  for (const [name, body, mode] of files) {
    await fs.writeFile(path.join(root, name), body);
    await fs.chmod(path.join(root, name), mode);
  }
  await fs.link(path.join(root, 'index.html'), path.join(root, 'a dir with spaces/hard link to index'));
  await fs.link(path.join(root, 'index.html'), path.join(root, 'ünïcödé ✓/second hard link'));
  await fs.symlink('../index.html', path.join(root, 'deep/relative link'));
  await fs.symlink('/etc/passwd', path.join(root, 'absolute link'));
  await fs.symlink('does/not/exist', path.join(root, 'dangling link'));
  await fs.chmod(path.join(root, 'deep'), 0o2750);
  await chownAll(root, owner);
}

async function chownAll(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    await fs.lchown(full, owner.uid, owner.gid);
    if (entry.isDirectory()) await chownAll(full, owner);
  }
}
