/**
 * First install of a WordPress site: fetch the archive, list it, refuse entries that would land
 * outside the target, extract with the system tar into a scratch folder, move `wordpress/*` into
 * the document root and write wp-config.php with fresh salts. Never runs again once done.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import type { WordPressSpec } from '@hostplane/sdk';
import { phpString } from '../render/quote.js';
import { run } from './exec.js';

const MAX_ARCHIVE_BYTES = 200 * 1024 * 1024;

/** The archive itself is unacceptable (retrying will not help), as opposed to a failed download. */
export class ArchiveRefused extends Error {
  override readonly name = 'ArchiveRefused';
}

/** Names in the archive: relative, no `..`, all under `wordpress/`. Returns the refusal, or null. */
export function checkArchiveEntries(entries: string[]): string | null {
  if (entries.length === 0) return 'the archive is empty';
  for (const entry of entries) {
    const clean = entry.replace(/^\.\//, '');
    if (clean.startsWith('/')) return `absolute path ${JSON.stringify(entry)}`;
    if (clean.split('/').includes('..')) return `path escaping the target ${JSON.stringify(entry)}`;
    if (clean !== 'wordpress/' && clean !== 'wordpress' && !clean.startsWith('wordpress/')) {
      return `entry outside wordpress/: ${JSON.stringify(entry)}`;
    }
  }
  return null;
}

async function download(url: string, target: string): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') {
    await fs.copyFile(fileURLToPath(parsed), target);
    return;
  }
  const response = await fetch(parsed, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  if (!response.ok || !response.body) throw new Error(`fetching ${parsed.origin}${parsed.pathname} answered ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_ARCHIVE_BYTES) throw new Error('the WordPress archive is larger than 200 MB');
  await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(target, { mode: 0o600 }));
}

/** Every symlink inside `dir` must resolve inside `dir`. */
async function assertLinksInside(dir: string): Promise<void> {
  const root = await fs.realpath(dir);
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isSymbolicLink()) {
        const target = path.resolve(path.dirname(full), await fs.readlink(full));
        if (target !== root && !target.startsWith(root + path.sep))
          throw new ArchiveRefused(`link ${entry.name} points outside the site`);
      } else if (entry.isDirectory()) await walk(full);
      else if (!entry.isFile()) throw new ArchiveRefused(`special file ${entry.name} in the archive`);
    }
  };
  await walk(root);
}

/** Download, check and extract into `publicDir` (scratch space in `tmpDir`). */
export async function installWordPress(spec: WordPressSpec, publicDir: string, tmpDir: string): Promise<void> {
  const scratch = await fs.mkdtemp(path.join(tmpDir, 'wp-install-'));
  try {
    const archive = path.join(scratch, 'wordpress.tar.gz');
    await download(spec.archiveUrl, archive);
    const listing = await run('tar', ['-tzf', archive]);
    if (listing.code !== 0) throw new ArchiveRefused(`not a readable .tar.gz: ${listing.stderr.trim()}`);
    const refusal = checkArchiveEntries(listing.stdout.split('\n').filter(Boolean));
    if (refusal) throw new ArchiveRefused(`refusing the WordPress archive: ${refusal}`);
    const out = path.join(scratch, 'out');
    await fs.mkdir(out);
    const extract = await run(
      'tar',
      ['-xzf', archive, '-C', out, '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir'],
      {
        timeoutMs: 300_000,
      },
    );
    if (extract.code !== 0) throw new Error(`extracting the WordPress archive failed: ${extract.stderr.trim()}`);
    const source = path.join(out, 'wordpress');
    if (
      !(await fs.stat(source).then(
        (st) => st.isDirectory(),
        () => false,
      ))
    )
      throw new ArchiveRefused('no wordpress/ folder in the archive');
    await assertLinksInside(source);
    for (const entry of await fs.readdir(source)) {
      // Existing files of the owner win: an install never overwrites.
      const target = path.join(publicDir, entry);
      if (
        await fs.lstat(target).then(
          () => true,
          () => false,
        )
      )
        continue;
      await fs.rename(path.join(source, entry), target);
    }
    const config = path.join(publicDir, 'wp-config.php');
    await fs.writeFile(config, renderWpConfig(spec.database), { mode: 0o640, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

const SALT_KEYS = [
  'AUTH_KEY',
  'SECURE_AUTH_KEY',
  'LOGGED_IN_KEY',
  'NONCE_KEY',
  'AUTH_SALT',
  'SECURE_AUTH_SALT',
  'LOGGED_IN_SALT',
  'NONCE_SALT',
];

/** wp-config.php from the database settings; every value a PHP single-quoted literal, salts fresh. */
export function renderWpConfig(
  db: WordPressSpec['database'],
  salt: () => string = () => randomBytes(48).toString('base64'),
): string {
  const define = (key: string, value: string): string => `define(${phpString(key)}, ${phpString(value)});`;
  return [
    '<?php',
    '// Written by Hostplane on the first install; yours to edit from now on.',
    define('DB_NAME', db.name),
    define('DB_USER', db.user),
    define('DB_PASSWORD', db.password),
    define('DB_HOST', db.host),
    define('DB_CHARSET', 'utf8mb4'),
    define('DB_COLLATE', ''),
    '',
    ...SALT_KEYS.map((key) => define(key, salt())),
    '',
    `$table_prefix = ${phpString(db.tablePrefix)};`,
    "define('WP_DEBUG', false);",
    "if (!defined('ABSPATH')) {",
    "    define('ABSPATH', __DIR__ . '/');",
    '}',
    "require_once ABSPATH . 'wp-settings.php';",
    '',
  ].join('\n');
}
