/**
 * This install's tag: four random letters and digits kept in `<root>/state/install-tag`, part of
 * every site user's name (`hp<tag>-<name>`) and comment, so two installs on one machine (two
 * roots) never share a Unix user for sites of the same name.
 *
 * An install from before tags already has `hp-<name>` users running its sites: a root whose
 * `state/` records sites but holds no tag file gets an empty tag and keeps those names (a new
 * install never collides with it, since it has a tag). A fresh root gets a new tag.
 */
import { randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Layout } from '../layout.js';
import { INSTALL_TAG } from '../names.js';
import { readOrNull, writeAtomic } from './files.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export async function installTag(layout: Layout): Promise<string> {
  const file = path.join(layout.state, 'install-tag');
  const stored = (await readOrNull(file))?.trim();
  if (stored !== undefined && (stored === '' || INSTALL_TAG.test(stored))) return stored;
  if (stored !== undefined) throw new Error(`${file} holds ${JSON.stringify(stored)}, not a tag of four letters or digits`);
  const recorded = (await fs.readdir(layout.state)).some((f) => f.endsWith('.json'));
  const tag = recorded ? '' : Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  await writeAtomic(file, `${tag}\n`, 0o600);
  return tag;
}
