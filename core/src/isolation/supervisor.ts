/**
 * One isolated plugin's process: started as the plugin's user under Node's permission model,
 * watched (heartbeat, resident memory) and, when it dies or is killed, reported so the session
 * can start it again after a growing delay. The host never waits on a dead or hung child: its
 * pending calls fail at once with KERNEL_ERR_PLUGIN_UNAVAILABLE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '@hostplane/sdk';
import { IsolationErrors } from './errors.js';
import { Peer, type CallHandler } from './child/peer.js';
import type { WireMessage } from './child/protocol.js';

const ENV = '/usr/bin/env';

/** What a supervisor is given. */
export interface SupervisorOptions {
  pluginId: string;
  runner: string;
  execArgv: string[];
  cwd: string;
  uid?: number;
  gid?: number;
  logger: Logger;
  heartbeatMs: number;
  /** Modules the runner may start importing before it is asked to (`fastify`, `knex`). */
  preload: string[];
  heartbeatTimeoutMs: number;
  rssBytes: number;
  /** Calls from the child. */
  handler: CallHandler;
  /** Notifications from the child besides heartbeats and logs. */
  onNotice(message: WireMessage): void;
  /** The child ended without being asked to (crash, watchdog). */
  onDeath(reason: string): void;
}

export class Supervisor {
  #child: ChildProcess | undefined;
  #peer: Peer | undefined;
  #lastBeat = 0;
  #rss = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #ending = false;
  #killReason: string | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {}

  /** True while a child runs and has not been condemned. */
  get up(): boolean {
    return this.#child !== undefined && this.#killReason === undefined && !this.#ending;
  }

  /** Process id of the running child, for tests and the operator. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Resident memory of the child at its last heartbeat, in bytes. */
  get rss(): number {
    return this.#rss;
  }

  /** Start a child; resolves once it is forked (calls queue on the IPC channel until it listens). */
  spawn(): void {
    const o = this.options;
    this.#ending = false;
    this.#killReason = undefined;
    // Through `env -i`, so the child's environment is exactly this list, whatever a wrapper of
    // child_process (a test runner, an instrumenting tool) adds: nothing of the host's (no
    // DATABASE_URL, no HOSTPLANE_SECRET_KEY, no PATH, no NODE_OPTIONS loaders). The IPC channel
    // is stdio slot 3, which is how Node finds it.
    const environment = {
      NODE_CHANNEL_FD: '3',
      NODE_CHANNEL_SERIALIZATION_MODE: 'advanced',
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      HOSTPLANE_PLUGIN_ID: o.pluginId,
    };
    const child = spawn(
      ENV,
      [
        '-i',
        ...Object.entries(environment).map(([k, v]) => `${k}=${v}`),
        process.execPath,
        ...o.execArgv,
        o.runner,
        String(o.heartbeatMs),
        o.preload.join(','),
      ],
      {
        cwd: o.cwd,
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        ...(o.uid !== undefined ? { uid: o.uid } : {}),
        ...(o.gid !== undefined ? { gid: o.gid } : {}),
      },
    );
    this.#child = child;
    this.#lastBeat = Date.now();
    const log = o.logger.child({ plugin: o.pluginId, pid: child.pid });
    for (const [stream, level] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) =>
          log[level]({ stream: level === 'info' ? 'stdout' : 'stderr' }, line),
        );
    }
    const peer = new Peer((message) => {
      if (!child.connected) throw IsolationErrors.unavailable(o.pluginId, 'its process is not running');
      return child.send(message);
    }, o.handler);
    this.#peer = peer;
    child.on('message', (message: WireMessage) => {
      if (peer.receive(message)) return;
      if (message.t === 'beat') {
        this.#lastBeat = Date.now();
        this.#rss = message.rss;
      } else if (message.t === 'log') {
        const { level, obj, msg } = message;
        if (typeof log[level] === 'function') log[level](obj, msg);
      } else {
        o.onNotice(message);
      }
    });
    this.#exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        clearInterval(this.#watchdog);
        const why =
          this.#killReason ?? (signal ? `its process was killed (${signal})` : `its process exited with code ${String(code)}`);
        peer.close(() => IsolationErrors.unavailable(o.pluginId, why));
        if (this.#child === child) this.#child = undefined;
        if (!this.#ending) o.onDeath(why);
        resolve();
      });
    });
    child.on('error', (error) => log.error({ err: error }, 'plugin process error'));
    this.#watchdog = setInterval(() => this.#watch(), Math.max(50, Math.min(o.heartbeatMs, o.heartbeatTimeoutMs / 2)));
    this.#watchdog.unref();
  }

  #watch(): void {
    const o = this.options;
    const silence = Date.now() - this.#lastBeat;
    if (silence > o.heartbeatTimeoutMs) {
      this.kill(`it stopped answering (no heartbeat for ${silence} ms: busy or hung)`);
    } else if (this.#rss > o.rssBytes) {
      this.kill(`it used ${Math.round(this.#rss / 1048576)} MiB of memory, over its ${Math.round(o.rssBytes / 1048576)} MiB cap`);
    }
  }

  /** Kill the child now for `reason` (the session restarts it). */
  kill(reason: string): void {
    if (!this.#child || this.#killReason) return;
    this.#killReason = reason;
    this.options.logger.warn({ plugin: this.options.pluginId, reason }, 'killing plugin process');
    // Calls in flight fail now, not when the kernel notices the exit.
    this.#peer?.close(() => IsolationErrors.unavailable(this.options.pluginId, reason));
    this.#child.kill('SIGKILL');
  }

  /** Call `method` in the child. */
  call<T = unknown>(method: string, params: unknown, timeoutMs = 0): Promise<T> {
    const peer = this.#peer;
    if (!peer || !this.up) {
      return Promise.reject(IsolationErrors.unavailable(this.options.pluginId, this.#killReason ?? 'its process is not running'));
    }
    return peer.call<T>(method, params, timeoutMs, () => IsolationErrors.timeout(this.options.pluginId, method, timeoutMs));
  }

  /** End the child on purpose: close its channel, then SIGKILL after `graceMs`. Resolves once it exited. */
  async end(graceMs = 2000): Promise<void> {
    this.#ending = true;
    const child = this.#child;
    if (!child) return this.#exited;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
