/**
 * Host settings from the environment (`HOSTPLANE_*`), checked once at boot with messages that
 * name the variable.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PhaseLimits } from '@hostplane/core';
import { defineError } from '@hostplane/sdk';
import { LOG_FORMATS, type LogFormatSetting } from './log-format.js';
import { parseTrustProxy } from './trust-proxy.js';

export const ConfigInvalid = defineError(
  'HOST_ERR_CONFIG_INVALID',
  400,
  (variable: string, problem: string) => `${variable}: ${problem}`,
);

/** Settings the host runs with. */
export interface HostConfig {
  /** PostgreSQL URL; undefined → embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Drop-in plugins folder. */
  pluginsDir: string;
  /** First-party plugin folders (the monorepo's `plugins/` when present). */
  firstPartyDirs: string[];
  /** node_modules folders scanned for plugin packages. */
  nodeModulesDirs: string[];
  host: string;
  port: number;
  /** Origins allowed by CORS (the panel's). */
  corsOrigins: string[];
  /**
   * `HOSTPLANE_TRUST_PROXY`: the reverse proxies (addresses, CIDR ranges, `loopback` …) whose
   * `X-Forwarded-For`/`-Proto` the host believes; empty: none (see trust-proxy.ts).
   */
  trustProxy: string[];
  logLevel: string;
  /** `HOSTPLANE_LOG_FORMAT`: JSON lines, human lines, or (auto) human on a terminal only. */
  logFormat: LogFormatSetting;
  rateLimit: { max: number; timeWindow: string };
  /**
   * `HOSTPLANE_RATE_LIMIT_STORE`: `postgres` shares rate-limit counters between every host on the
   * database (the default with DATABASE_URL); `memory` counts per process (the default with the
   * embedded database, which one process owns); `redis` keeps them in Redis (the default when
   * `HOSTPLANE_REDIS_URL` is set).
   */
  rateLimitStore: 'memory' | 'postgres' | 'redis';
  /** `HOSTPLANE_REDIS_URL`: Redis for the `redis` rate-limit store. */
  redisUrl: string | undefined;
  /** Time limits on plugin phases set by `HOSTPLANE_PLUGIN_<PHASE>_TIMEOUT_MS`; the kernel's defaults otherwise. */
  pluginPhaseLimits: Partial<PhaseLimits>;
  /**
   * `HOSTPLANE_SECRET_KEY` (and `HOSTPLANE_NEW_SECRET_KEY` during a rotation): the key of secrets
   * at rest; without it, `<dataDir>/secret.key`. Never logged.
   */
  secretKey: { key?: string; newKey?: string };
  /**
   * Public key files of first-party signers beyond the release keys core ships: the build key
   * of the checkout this host runs from (`.signing/first-party.pub`, made by `npm run build`).
   */
  firstPartyKeyFiles: string[];
  /** `HOSTPLANE_PLUGIN_ISOLATION`: the admin's choice per plugin (`id=in-process,other=process`). */
  pluginIsolation: Record<string, 'process' | 'in-process'>;
  /**
   * `HOSTPLANE_SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…`), `HOSTPLANE_MAIL_FROM` (the
   * sender address) and `HOSTPLANE_MAIL_FROM_NAME`: the outbox is delivered over SMTP. Without
   * the URL mails stay in the outbox. Never logged (the URL may hold a password).
   */
  mail: { smtpUrl: string; from?: string; fromName?: string } | undefined;
  /** `HOSTPLANE_PG_DUMP`: the pg_dump platform backups use (an absolute path); unset: looked up by the server's version. */
  pgDump: string | undefined;
}

function mailVars(env: NodeJS.ProcessEnv): HostConfig['mail'] {
  const smtpUrl = env.HOSTPLANE_SMTP_URL;
  if (!smtpUrl) return undefined;
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw ConfigInvalid('HOSTPLANE_SMTP_URL', 'must be a URL such as smtp://user:password@mail.example.com:587');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw ConfigInvalid('HOSTPLANE_SMTP_URL', `must start with smtp:// or smtps://, got "${url.protocol}//"`);
  }
  const from = env.HOSTPLANE_MAIL_FROM;
  if (from !== undefined && from !== '' && !/^[^\s@<>"]+@[^\s@<>"]+$/.test(from)) {
    throw ConfigInvalid('HOSTPLANE_MAIL_FROM', `must be one address such as billing@example.com, got "${from}"`);
  }
  return {
    smtpUrl,
    ...(from ? { from } : {}),
    ...(env.HOSTPLANE_MAIL_FROM_NAME ? { fromName: env.HOSTPLANE_MAIL_FROM_NAME } : {}),
  };
}

function pgDumpVar(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.HOSTPLANE_PG_DUMP;
  if (!value) return undefined;
  if (!value.startsWith('/')) throw ConfigInvalid('HOSTPLANE_PG_DUMP', `must be an absolute path, got "${value}"`);
  return value;
}

/** The phases whose limit an environment variable may set. */
const PHASES: ReadonlyArray<keyof PhaseLimits> = ['migrate', 'setup', 'start', 'stop', 'handler'];

function phaseLimitVars(env: NodeJS.ProcessEnv): Partial<PhaseLimits> {
  const limits: Partial<PhaseLimits> = {};
  for (const phase of PHASES) {
    const name = `HOSTPLANE_PLUGIN_${phase.toUpperCase()}_TIMEOUT_MS`;
    if (env[name]) limits[phase] = intVar(env, name, 0, 1, 2 ** 31 - 1);
  }
  return limits;
}

function isolationVar(env: NodeJS.ProcessEnv): Record<string, 'process' | 'in-process'> {
  const out: Record<string, 'process' | 'in-process'> = {};
  for (const item of (env.HOSTPLANE_PLUGIN_ISOLATION ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id, mode] = item.split('=').map((s) => s.trim());
    if (!id || !/^[a-z][a-z0-9-]*$/.test(id) || (mode !== 'process' && mode !== 'in-process')) {
      throw ConfigInvalid('HOSTPLANE_PLUGIN_ISOLATION', `each entry must be <plugin id>=process|in-process, got "${item}"`);
    }
    out[id] = mode;
  }
  return out;
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw ConfigInvalid(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** The monorepo root when this host runs from a checkout (it has `plugins/`). */
function repoRoot(): string | undefined {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return existsSync(resolve(root, 'plugins')) && existsSync(resolve(root, 'host')) ? root : undefined;
}

/** Read and check the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): HostConfig {
  const dataDir = resolve(cwd, env.HOSTPLANE_DATA_DIR || '.hostplane');
  const root = repoRoot();
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw ConfigInvalid('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const logLevel = env.HOSTPLANE_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw ConfigInvalid('HOSTPLANE_LOG_LEVEL', `unknown level "${logLevel}"`);
  }
  const logFormat = (env.HOSTPLANE_LOG_FORMAT || 'auto') as LogFormatSetting;
  if (!LOG_FORMATS.includes(logFormat)) {
    throw ConfigInvalid('HOSTPLANE_LOG_FORMAT', `must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`);
  }
  const trust = parseTrustProxy(env.HOSTPLANE_TRUST_PROXY);
  if ('problem' in trust) throw ConfigInvalid('HOSTPLANE_TRUST_PROXY', trust.problem);
  const redisUrl = env.HOSTPLANE_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw ConfigInvalid('HOSTPLANE_REDIS_URL', 'must start with redis:// or rediss://');
  }
  const rateLimitStore = (env.HOSTPLANE_RATE_LIMIT_STORE ||
    (redisUrl ? 'redis' : databaseUrl ? 'postgres' : 'memory')) as HostConfig['rateLimitStore'];
  if (!['memory', 'postgres', 'redis'].includes(rateLimitStore)) {
    throw ConfigInvalid('HOSTPLANE_RATE_LIMIT_STORE', `must be memory, postgres or redis, got "${String(rateLimitStore)}"`);
  }
  if (rateLimitStore === 'redis' && !redisUrl) {
    throw ConfigInvalid('HOSTPLANE_RATE_LIMIT_STORE', 'redis needs HOSTPLANE_REDIS_URL');
  }
  return {
    databaseUrl,
    dataDir,
    pluginsDir: resolve(cwd, env.HOSTPLANE_PLUGINS_DIR || resolve(dataDir, 'plugins')),
    firstPartyDirs: root ? [resolve(root, 'plugins')] : [],
    nodeModulesDirs: [resolve(root ?? cwd, 'node_modules')],
    host: env.HOSTPLANE_HOST || '127.0.0.1',
    port: intVar(env, 'HOSTPLANE_PORT', intVar(env, 'PORT', 3000, 0, 65535), 0, 65535),
    corsOrigins: (env.HOSTPLANE_CORS_ORIGINS || 'http://127.0.0.1:3000,http://localhost:3000')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: trust.proxies,
    logLevel,
    logFormat,
    rateLimit: { max: intVar(env, 'HOSTPLANE_RATE_LIMIT_MAX', 300, 1, 1_000_000), timeWindow: '1 minute' },
    rateLimitStore,
    redisUrl,
    pluginPhaseLimits: phaseLimitVars(env),
    firstPartyKeyFiles: root ? [resolve(root, '.signing', 'first-party.pub')] : [],
    secretKey: {
      ...(env.HOSTPLANE_SECRET_KEY ? { key: env.HOSTPLANE_SECRET_KEY } : {}),
      ...(env.HOSTPLANE_NEW_SECRET_KEY ? { newKey: env.HOSTPLANE_NEW_SECRET_KEY } : {}),
    },
    pluginIsolation: isolationVar(env),
    mail: mailVars(env),
    pgDump: pgDumpVar(env),
  };
}
