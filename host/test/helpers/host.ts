/** Boot the real gateway on a real kernel (see kernel.ts), with its log lines captured. */
import { Writable } from 'node:stream';
import type { KernelApi } from '@hostplane/core';
import type { Test } from 'tap';
import { createHost, type Host, type HostOptions } from '../../src/server/index.js';

/** A host under test. */
export interface TestGateway {
  host: Host;
  /** Every log line so far, raw. */
  lines(): string[];
  /** Every log line so far, parsed. */
  logs(): Array<Record<string, unknown>>;
}

/** A stream collecting JSON log lines. */
export function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { stream, lines };
}

/**
 * Create a host on `kernel` for `t`, closed at `t`'s teardown (so before a kernel booted
 * earlier on an enclosing test stops). The rate limit is high unless a test sets one.
 */
export async function startGateway(
  t: Pick<Test, 'teardown'>,
  kernel: KernelApi,
  options: Omit<HostOptions, 'kernel' | 'logger'> = {},
): Promise<TestGateway> {
  const { stream, lines } = captureLines();
  const host = await createHost({
    kernel,
    logger: stream,
    rateLimit: { max: 10_000, timeWindow: '1 minute' },
    ...options,
  });
  t.teardown(() => host.close());
  return {
    host,
    lines: () => [...lines],
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** `Authorization` header for a token. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
