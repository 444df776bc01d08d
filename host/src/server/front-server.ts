/**
 * The host's one http.Server. It outlives app generations: its request listener forwards to
 * whichever generation is current. It also owns graceful shutdown: stop accepting, let
 * in-flight requests finish, then drop the connections.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { errorBody } from './error-body.js';
import { ShuttingDown } from './errors.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';

/** Where to listen. */
export interface ListenOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

/** The shared server with in-flight tracking. */
export class FrontServer {
  readonly server: Server;
  private readonly active = new Set<ServerResponse>();
  private closing: Promise<void> | null = null;

  /**
   * @param dispatch - answers a request; returns what to call once its response has closed.
   */
  constructor(
    private readonly dispatch: (req: IncomingMessage, res: ServerResponse) => () => void,
    private readonly logger: Logger,
  ) {
    this.server = createServer((req, res) => this.onRequest(req, res));
    // Longer than the idle timeout of common load balancers (60 s), as Fastify's default, so
    // the proxy never reuses a connection we are about to drop.
    this.server.keepAliveTimeout = 72_000;
  }

  /** Listen and resolve with the base URL, e.g. `http://127.0.0.1:3000`. */
  listen({ host = '127.0.0.1', port }: ListenOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        const name = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${name}:${address.port}`);
      });
    });
  }

  /**
   * Stop accepting connections, let in-flight requests finish, then resolve. Connections still
   * open after `graceMs` are destroyed so shutdown is bounded.
   */
  close(graceMs: number): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    if (!this.server.listening) return;
    // Answers still being written end their connection instead of keeping it alive.
    for (const res of this.active) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = setTimeout(() => {
      this.logger.warn({ inflight: this.active.size }, 'shutdown grace period over; dropping connections');
      this.server.closeAllConnections();
    }, graceMs);
    deadline.unref();
    await closed;
    clearTimeout(deadline);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.closing) {
      this.refuse(req, res);
      return;
    }
    this.active.add(res);
    // 'close' is emitted asynchronously, so listening after dispatching misses nothing.
    const finished = this.dispatch(req, res);
    res.once('close', () => {
      this.active.delete(res);
      finished();
      // A keep-alive connection whose last request just finished is idle now: let it go.
      if (this.closing) setImmediate(() => this.server.closeIdleConnections());
    });
  }

  /** A request that arrived on a kept-alive connection after shutdown began. */
  private refuse(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdOf(req);
    const body = JSON.stringify(errorBody(ShuttingDown(), requestId));
    res.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
      [REQUEST_ID_HEADER]: requestId,
    });
    res.end(body);
  }
}
