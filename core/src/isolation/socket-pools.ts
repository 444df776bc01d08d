/**
 * Keep-alive connections from the gateway to isolated plugins' route sockets, one undici pool
 * per socket. undici rather than `node:http`: the proxy's client side is on the host's hot
 * path (the host is what saturates first when an isolated plugin's routes are busy), and
 * undici spends about 30 µs of CPU per small request where `http.request` spends about 43 µs
 * (`bench/isolation.ts`; decision 0047). It is loaded on the first pool, so a host without
 * isolated routes never loads it.
 */
import type * as UndiciModule from 'undici';
import type { Pool } from 'undici';

type Undici = typeof UndiciModule;

let undici: Promise<Undici> | undefined;

/** Load undici once (also to have it ready before the first request needs it). */
export function loadUndici(): Promise<Undici> {
  undici ??= import('undici');
  return undici;
}

/** Pools by socket path; a socket's pool is closed when its process goes away. */
export class SocketPools {
  readonly #pools = new Map<string, Pool>();

  /** The pool for `socketPath`, made on first use. */
  async get(socketPath: string): Promise<Pool> {
    const existing = this.#pools.get(socketPath);
    if (existing) return existing;
    const { Pool } = await loadUndici();
    // Another request may have made it while undici loaded.
    const raced = this.#pools.get(socketPath);
    if (raced) return raced;
    // The origin only names the Host header; the connection goes to the socket.
    const pool = new Pool('http://plugin.invalid', {
      socketPath,
      connections: 256,
      // Answers may take as long as the route timeout allows (checked by the proxy).
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.#pools.set(socketPath, pool);
    return pool;
  }

  /** Drop the pool of a socket whose process ended (its connections are dead anyway). */
  drop(socketPath: string): void {
    const pool = this.#pools.get(socketPath);
    if (!pool) return;
    this.#pools.delete(socketPath);
    void pool.destroy().catch(() => undefined);
  }

  /** Close every pool (the plugin is being stopped for good). */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
