/** Boot the real gateway on a {@link FakeKernel}, with its log lines captured. */
import { Writable } from 'node:stream';
import type { Test } from 'tap';
import { createHost, type Host, type HostOptions } from '../../src/server/index.js';
import { FakeKernel } from './fake-kernel.js';

/** A host under test. */
export interface TestGateway {
  host: Host;
  kernel: FakeKernel;
  /** Every log line so far, raw. */
  lines(): string[];
  /** Every log line so far, parsed. */
  logs(): Array<Record<string, unknown>>;
}

/** Create a host for `t` (closed at teardown). The rate limit is high unless a test sets one. */
export async function startGateway(
  t: Test,
  kernel: FakeKernel = new FakeKernel(),
  options: Omit<HostOptions, 'kernel' | 'logger'> = {},
): Promise<TestGateway> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const host = await createHost({
    kernel,
    logger: destination,
    rateLimit: { max: 10_000, timeWindow: '1 minute' },
    ...options,
  });
  t.teardown(() => host.close());
  return {
    host,
    kernel,
    lines: () => [...lines],
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** `Authorization` header for a token. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
