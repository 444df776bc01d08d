/**
 * `nginx -t` and `php-fpm -t` with rollback: each failure names a file; a site of the batch is
 * rolled back and rejected (see `blame`), a file from outside the batch is set aside, and the
 * check runs again until it passes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { poolDir, poolFile } from '../layout.js';
import { SITE_NAME } from '../names.js';
import type { DriverContext } from './driver-context.js';
import type { FpmMaster } from './servers.js';
import { blame, type SiteWork } from './site-work.js';

/**
 * Run `nginx -t` until it passes. Each failure names a file: a site in this batch is rolled
 * back and rejected; if its previous config fails too, its file goes; a file from outside the
 * batch (left by a crash or edited by hand) is set aside as `.broken`.
 */
export async function checkNginx(ctx: DriverContext, works: Map<string, SiteWork>): Promise<void> {
  const limit = works.size * 2 + 20;
  for (let attempt = 0; ; attempt++) {
    const r = await ctx.nginx.test();
    if (r.code === 0) return;
    const message = nginxError(r.stderr);
    if (attempt >= limit) throw new Error(`nginx -t keeps failing: ${message}`);
    const file = /in (\/\S+?):\d+/.exec(r.stderr)?.[1] ?? null;
    const name = file ? siteNameOf(file, ctx.layout.sitesConf) : null;
    const work = name ? works.get(name) : undefined;
    if (work) await blame(ctx, work, message);
    else if (name && file) {
      ctx.log.warn({ file, message }, 'setting aside a site config nginx refuses');
      await fs.rename(file, `${file}.broken`);
    } else {
      // The error is in no site file (the main config, a snippet): nothing to roll back.
      throw new Error(`nginx -t failed: ${message}`);
    }
  }
}

/** Same for one PHP version's pools. php-fpm names the pool file or the pool. */
export async function checkFpm(
  ctx: DriverContext,
  version: string,
  master: FpmMaster,
  works: Map<string, SiteWork>,
): Promise<void> {
  const dir = poolDir(ctx.layout, version);
  const limit = works.size * 2 + 20;
  for (let attempt = 0; ; attempt++) {
    const r = await master.test();
    if (r.code === 0) return;
    const text = `${r.stdout}\n${r.stderr}`;
    const message = fpmError(text);
    if (attempt >= limit) throw new Error(`php-fpm${version} -t keeps failing: ${message}`);
    const file = /\[(\/[^\]:]+?\.conf):\d+\]/.exec(text)?.[1] ?? null;
    const pool = /\[pool ([a-z0-9-]+)\]/.exec(text)?.[1] ?? null;
    const name = file ? siteNameOf(file, dir) : pool;
    const work = name ? works.get(name) : undefined;
    if (work) await blame(ctx, work, message);
    else if (name && SITE_NAME.test(name)) {
      const target = poolFile(ctx.layout, version, name);
      ctx.log.warn({ file: target, message }, 'setting aside a pool php-fpm refuses');
      await fs.rename(target, `${target}.broken`).catch(() => undefined);
    } else throw new Error(`php-fpm${version} -t failed: ${message}`);
  }
}

/** `<dir>/<name>.conf` → name. */
function siteNameOf(file: string, dir: string): string | null {
  if (path.dirname(file) !== dir) return null;
  const m = /^([a-z0-9][a-z0-9-]{0,30})\.conf$/.exec(path.basename(file));
  return m?.[1] ?? null;
}

/** The first `[emerg]`/`[alert]` line of `nginx -t`, without the prefix. */
export function nginxError(stderr: string): string {
  const line =
    stderr.split('\n').find((l) => /\[(emerg|alert|crit)\]/.test(l)) ?? stderr.trim().split('\n')[0] ?? 'unknown error';
  return line.replace(/^nginx: \[(emerg|alert|crit)\] /, '').trim();
}

function fpmError(text: string): string {
  const line = text.split('\n').find((l) => /ERROR|ALERT/.test(l)) ?? text.trim().split('\n')[0] ?? 'unknown error';
  return line.replace(/^\[[^\]]*\]\s*/, '').trim();
}
