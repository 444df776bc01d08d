/**
 * One autocannon measurement against a server running in a forked child, with the server's CPU
 * time per request (asked of the child before and after over IPC), and the median the benches
 * report. The child answers with {@link answerCpuQuery} in its message handler.
 */
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server CPU (user + system) per request, µs. */
  cpuPerRequest: number;
}

/** In the server child: answer the parent's `'cpu'` message; true when `message` was one. */
export function answerCpuQuery(message: unknown): boolean {
  if (message !== 'cpu') return false;
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuMicros: user + system });
  return true;
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { cpuMicros: number }).cpuMicros));
    child.send('cpu');
  });
}

/** Load `url` for `duration` seconds with `connections` connections (no pipelining). */
export async function measure(
  child: ChildProcess,
  url: string,
  options: { connections: number; duration: number; headers?: Record<string, string> },
): Promise<Measurement> {
  const cpuBefore = await serverCpu(child);
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    pipelining: 1,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const cpu = (await serverCpu(child)) - cpuBefore;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
