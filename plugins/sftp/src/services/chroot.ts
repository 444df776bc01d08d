/**
 * sshd chroots only into a folder whose every component, up to `/`, is owned by root and
 * writable by nobody else: otherwise whoever can write there could plant a fake /etc inside
 * and trick a setuid program. sshd checks at login and just drops the connection; we check
 * first and say which folder is wrong.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function chrootProblem(dir: string): Promise<string | null> {
  let at = await fs.realpath(dir).catch(() => null);
  if (at === null) return `${dir} does not exist`;
  for (;;) {
    const st = await fs.stat(at);
    if (!st.isDirectory()) return `${at} is not a folder`;
    if (st.uid !== 0) return `${at} is not owned by root (sshd's ChrootDirectory needs root-owned folders up to /)`;
    if ((st.mode & 0o022) !== 0) {
      return `${at} is writable by others (mode ${(st.mode & 0o7777).toString(8)}; sshd's ChrootDirectory needs every folder up to / writable by root only: put the web server's root elsewhere than /tmp)`;
    }
    const parent = path.dirname(at);
    if (parent === at) return null;
    at = parent;
  }
}
