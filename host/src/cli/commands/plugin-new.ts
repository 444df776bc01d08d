/**
 * `hostplane plugin new <id> [--dir <folder>]`: a plugin package from the template in
 * `host/templates/plugin` (package.json with the static manifest, definePlugin, a route, a
 * migration, a test on the testing kit, tsconfig, README), ready for `npm install && npm test`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_ID } from '@hostplane/core';
import { SDK_VERSION } from '@hostplane/sdk';
import { usage, type CommandInput } from '../command.js';
import { CliError } from '../output.js';

const USAGE = 'usage: hostplane plugin new <id> [--dir <folder>]';

/** The template, beside `src/` and `dist/` alike (both are three folders below the package). */
const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/plugin/', import.meta.url));

/** `my-plugin` → `My Plugin`. */
function titleOf(id: string): string {
  return id
    .split('-')
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

/** Every template file, relative to the template folder. */
async function templateFiles(dir = TEMPLATE_DIR): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await templateFiles(path)));
    else if (entry.name.endsWith('.tmpl')) out.push(relative(TEMPLATE_DIR, path));
  }
  return out.sort();
}

/** Where a template file lands: without `.tmpl`; `gitignore` becomes `.gitignore` (npm drops dotfiles it publishes). */
function targetName(templateFile: string): string {
  const name = templateFile.slice(0, -'.tmpl'.length);
  return name === 'gitignore' ? '.gitignore' : name;
}

/** Check `id` as the kernel will; a usage error says what is wrong. */
export function checkPluginId(id: string | undefined): string {
  if (id === undefined || id === '') throw usage(`a plugin id is needed\n${USAGE}`);
  if (!new RegExp(PLUGIN_ID).test(id)) {
    const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
    throw usage(`plugin id ${shown} must be lowercase letters, digits and "-", start with a letter, at most 56 characters`);
  }
  if (id.endsWith('-') || id.includes('--')) throw usage(`plugin id "${id}" must not end with "-" or hold "--"`);
  return id;
}

/** Write the package for `id` into `target`; returns the files written (relative). */
export async function createPluginPackage(id: string, target: string): Promise<string[]> {
  checkPluginId(id);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new CliError(`${target} exists and is not a folder`, 1);
    if (readdirSync(target).length > 0) throw new CliError(`${target} exists and is not empty; choose another --dir`, 1);
  }
  const values: Record<string, string> = {
    __ID__: id,
    __SCHEMA__: id.replaceAll('-', '_'),
    __TITLE__: titleOf(id),
    __SDK_VERSION__: SDK_VERSION,
  };
  const written: string[] = [];
  for (const file of await templateFiles()) {
    let text = await readFile(join(TEMPLATE_DIR, file), 'utf8');
    for (const [key, value] of Object.entries(values)) text = text.replaceAll(key, value);
    const out = join(target, targetName(file));
    await mkdir(dirname(out), { recursive: true });
    // `wx`: never overwrite, even if something appeared since the emptiness check.
    await writeFile(out, text, { flag: 'wx' });
    written.push(targetName(file));
  }
  return written;
}

/** `hostplane plugin new <id> [--dir <folder>]`. */
export async function pluginCommand(input: CommandInput): Promise<number> {
  const [action, rawId, ...extra] = input.args;
  if (action !== 'new') throw usage(action === undefined ? USAGE : `unknown action "${action}"\n${USAGE}`);
  if (extra.length > 0) throw usage(`unexpected arguments: ${extra.join(' ')}\n${USAGE}`);
  const id = checkPluginId(rawId);
  const target = resolve(input.options.dir ?? id);
  const files = await createPluginPackage(id, target);
  if (input.options.json) {
    input.io.out(JSON.stringify({ id, dir: target, files }));
    return 0;
  }
  input.io.out(
    [
      `Created plugin "${id}" in ${target}:`,
      ...files.map((f) => `  ${f}`),
      '',
      'Next:',
      `  cd ${relative(process.cwd(), target) || '.'}`,
      '  npm install',
      '  npm test        # needs PostgreSQL: HOSTPLANE_TEST_DATABASE_URL (default the local server)',
      "  npm run build   # then copy package.json, dist/ and migrations/ into the host's plugins folder",
    ].join('\n'),
  );
  return 0;
}
