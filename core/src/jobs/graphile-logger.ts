/** Routes graphile-worker's log lines into the kernel's pino logger. */
import type { Logger } from '@hostplane/sdk';
import { Logger as GraphileLogger } from 'graphile-worker';

/**
 * A graphile-worker logger writing to `logger`. graphile logs every completed job and every
 * (re)connection at `info`; at our volume that is debug noise, so its levels move down one
 * step (`info` → debug, `debug` → trace). Failures keep their level.
 */
export function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const child = logger.child({
      component: 'graphile-worker',
      ...(scope.workerId ? { workerId: scope.workerId } : {}),
      ...(scope.taskIdentifier ? { job: scope.taskIdentifier } : {}),
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
    });
    return (level, message, meta) => {
      // graphile's meta carries whole job rows and pg clients: keep only the error.
      const error = meta && typeof meta === 'object' && 'error' in meta ? { err: meta.error } : {};
      // A failed attempt is the job's business (it is retried, and dead jobs show in the
      // admin view), not an operator alarm.
      const failure = meta && typeof meta === 'object' && (meta as { failure?: unknown }).failure === true;
      switch (failure ? 'warning' : (level as string)) {
        case 'error':
          child.error(error, message);
          break;
        case 'warning':
          child.warn(error, message);
          break;
        case 'info':
          child.debug(error, message);
          break;
        default:
          child.trace(error, message);
      }
    };
  });
}
