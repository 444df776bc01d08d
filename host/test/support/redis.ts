/** The Redis tests use (127.0.0.1:6379, or HOSTPLANE_TEST_REDIS_URL), and why they skip without it. */
import { connect } from 'node:net';

export const REDIS_URL = process.env.HOSTPLANE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Redis tests cannot run here, or false. A failure instead under HOSTPLANE_REQUIRE_SYSTEM=1. */
export async function redisMissing(): Promise<string | false> {
  const url = new URL(REDIS_URL);
  const answers = await new Promise<boolean>((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (answers) return false;
  const reason = `needs Redis at ${REDIS_URL} (apt-get install redis-server; redis-server --daemonize yes)`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

/** A loopback address of its own (127.x.y.z): a rate-limit key no earlier run has used. */
export function freshLoopback(): string {
  const byte = (): number => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}
