/**
 * The messages between the kernel and an isolated plugin's process, over Node's IPC channel
 * with `advanced` (structured clone) serialization. Both sides may call the other: a call
 * carries an id and gets exactly one result. Notifications (`log`, `beat`, `health`, `io`)
 * get no answer.
 */
import type { WireError } from './codec.js';

/** A request from one side to the other. */
export interface CallMessage {
  t: 'call';
  id: number;
  method: string;
  params: unknown;
}

/** The answer to a {@link CallMessage}. */
export type ResultMessage =
  { t: 'result'; id: number; ok: true; value: unknown } | { t: 'result'; id: number; ok: false; error: WireError };

/** A log line from the plugin; the kernel writes it with the plugin's bindings. */
export interface LogMessage {
  t: 'log';
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  obj: Record<string, unknown>;
  msg?: string;
}

/** The child's heartbeat: its event loop is turning; `rss` in bytes. */
export interface BeatMessage {
  t: 'beat';
  rss: number;
}

/** `ctx.reportHealth` from the plugin. */
export interface HealthMessage {
  t: 'health';
  state: 'ok' | 'degraded';
  reason: string | null;
}

/** Output of a CLI command running in the child. */
export interface IoMessage {
  t: 'io';
  call: number;
  stream: 'out' | 'err';
  text: string;
}

export type WireMessage = CallMessage | ResultMessage | LogMessage | BeatMessage | HealthMessage | IoMessage;

/** Everything the kernel tells the child when it starts it. */
export interface InitParams {
  pluginId: string;
  version: string;
  /** Absolute path of the module default-exporting the definition. */
  entry: string;
  capabilities: string[];
  /** Where the plugin may write; the route socket lives here. */
  dataDir: string;
  /** Connection for the plugin's own pool; absent when it did not declare `db`. */
  database?: { url: string; pool: number };
}

/** The plugin as its definition describes it (data only). */
export interface PluginDescription {
  id: string;
  sdk: string;
  permissions: string[];
  requires: Record<string, string>;
  provides: string[];
  rbac: Record<string, unknown>;
  limits: string[];
  /** Encoded TypeBox schema (see codec.ts). */
  config: unknown;
  /** file: URL of the migrations folder. */
  migrations: string | null;
  /** Its mail templates as data; each is rendered in its process on request (`mail.render`). */
  mails: MailTemplateDescription[];
}

/** A mail template without its `render` function. */
export interface MailTemplateDescription {
  id: string;
  description: string;
  /** Encoded TypeBox schema of the variables (see codec.ts). */
  variables: unknown;
  /** Encoded sample variables, for the admin preview. */
  sample: unknown;
}

/** `mail.render`: the kernel asks the child for template `id`'s content. */
export interface MailRenderParams {
  id: string;
  variables: unknown;
  brand: unknown;
}

/** One route as the child's Fastify registered it. */
export interface RouteDescriptor {
  method: string | string[];
  /** Full URL, `/v1/<prefix>/...`. */
  url: string;
  /** Encoded schema (params, querystring, body, response, OpenAPI fields). */
  schema: unknown;
  /** Route config: permission, authenticated, public, rateLimit, audit. */
  config: unknown;
}

/** What `setup` registered, as data; handlers stay in the child and are called by index or name. */
export interface RegistrationsDescriptor {
  routes: Array<{ prefix: string; routes: RouteDescriptor[] }>;
  before: Array<{ event: string; index: number }>;
  after: Array<{ event: string; index: number }>;
  jobs: Array<{ name: string; maxAttempts: number }>;
  schedules: Array<{ name: string; cron: string; job: string; payload: unknown; timezone?: string }>;
  tasks: string[];
  /** Encoded panel pages. */
  pages: unknown[];
  commands: Array<{ name: string; group?: string; description: string; usage?: string }>;
  /** Ids of the services the plugin provides; every call on one crosses to the child. */
  services: string[];
  /** Extension implementations: their methods (called by index) and plain data, copied once. */
  extensions: Array<{ point: string; index: number; methods: string[]; values: Record<string, unknown> }>;
  /** Path of the Unix socket the child's routes listen on; null without routes. */
  socket: string | null;
}

/** What a job handler in the child receives about its job. */
export interface JobRunParams {
  name: string;
  payload: unknown;
  job: { id: string; name: string; attempt: number; maxAttempts: number };
}
