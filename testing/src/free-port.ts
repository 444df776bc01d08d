/**
 * `freePort()`: a TCP port for a daemon a test starts (nginx, pdns_server, mariadbd, pebble …).
 *
 * A port from `listen(0)` lies in the kernel's ephemeral range, the same range every outgoing
 * connection takes its local port from. Between the check and the daemon's own bind, any of the
 * test's database or HTTP clients can take that port, and the daemon fails with "Address already
 * in use" (it did, in CI, with three test files at once). So the port is drawn below that range,
 * where only listeners live, and checked free on the address the daemon binds.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Ports below this are left to well-known and registered services. */
const LOWEST = 20_000;

/** The first port of the kernel's ephemeral range (Linux's default 32768 elsewhere). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Ports this process handed out already: two calls before either daemon binds must differ. */
const handedOut = new Set<number>();

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port nothing listens on at `host` (default 127.0.0.1), outside the ephemeral range so no
 * outgoing connection takes it before the daemon binds it.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralStart();
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = randomInt(LOWEST, high);
    if (handedOut.has(port)) continue;
    if (await canBind(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port on ${host} between ${LOWEST} and ${high}`);
}
