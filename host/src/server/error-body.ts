/** The one error shape every refusal takes: `{ "error": { code, message, details?, requestId } }`. */
import type { HostplaneError } from '@hostplane/sdk';
import type { FastifyReply } from 'fastify';

/** The JSON body of an error response. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    requestId: string;
  };
}

/** Build the body for `err`, answering request `requestId`. */
export function errorBody(err: HostplaneError, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
  if (err.details !== undefined) body.error.details = err.details;
  return body;
}

/**
 * Send `err` in the error shape. The body is stringified here rather than by the route's
 * response schema, which may describe a different 4xx shape and would silently drop fields.
 */
export function sendError(reply: FastifyReply, err: HostplaneError): FastifyReply {
  return reply
    .code(err.statusCode)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(errorBody(err, reply.request.id)));
}
