import type { FastifyBaseLogger } from 'fastify';

/**
 * The structured logger (pino) each plugin receives, already bound to `plugin: <id>`.
 * Never log secrets: the host redacts known fields, but the first line of defence is you.
 */
export type Logger = FastifyBaseLogger;
