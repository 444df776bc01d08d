/**
 * The root error handler: every error, from a hook, a parser, a schema or a handler, leaves as
 * `{ "error": { code, message, details?, requestId } }`. Codes come from the error when it is a
 * HostplaneError, from the table below when Fastify raised it, and are HOST_ERR_INTERNAL (with
 * a generic message, the stack only in the log) otherwise.
 */
import { STATUS_CODES } from 'node:http';
import { HostplaneError, isHostplaneError } from '@hostplane/sdk';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error-body.js';
import {
  BadRequest,
  BodyTooLarge,
  InternalError,
  MalformedJson,
  UnsupportedMediaType,
  UriTooLong,
  ValidationFailed,
} from './errors.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { validationIssues } from './validation-details.js';

type MaybeFastifyError = Partial<FastifyError> & { message?: string };

function fromFastifyCode(err: MaybeFastifyError, request: FastifyRequest): HostplaneError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return MalformedJson('it could not be parsed');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return MalformedJson('it is empty');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return BodyTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return UnsupportedMediaType(String(request.headers['content-type'] ?? ''));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return BadRequest('The body does not match its Content-Length');
    case 'FST_ERR_BAD_URL':
      return BadRequest('The URL is not valid');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return UriTooLong();
    default:
      return undefined;
  }
}

/**
 * Map any thrown value to the HostplaneError the caller sees. Client errors from libraries
 * (a 4xx `statusCode` without a Hostplane code) keep their status under HOST_ERR_BAD_REQUEST
 * with the standard reason phrase: their own messages were not written for our callers.
 */
export function toHostplaneError(err: unknown, request: FastifyRequest): HostplaneError {
  if (isHostplaneError(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as MaybeFastifyError;
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const issues = validationIssues(e.validationContext ?? 'body', e.validation);
    const first = issues[0]!;
    return ValidationFailed(first.field, first.message, issues);
  }
  const known = fromFastifyCode(e, request);
  if (known) return known;
  const status = e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HostplaneError(BadRequest.code, STATUS_CODES[status] ?? 'Bad request', status);
  }
  return InternalError();
}

/** Fastify error handler rendering the error shape; 5xx are logged with their stack. */
export function hostErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toHostplaneError(err, request);
  if (mapped.statusCode >= 500) {
    request.log.error({ err }, 'request failed');
  } else {
    request.log.debug({ code: mapped.code, message: mapped.message }, 'request refused');
  }
  sendError(reply, mapped);
}

/**
 * Fastify's `frameworkErrors`: bad URLs and oversized parameters are refused before routing,
 * so no hook has run yet; the request id header is set here instead.
 */
export function hostFrameworkErrors(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  reply.header(REQUEST_ID_HEADER, request.id);
  hostErrorHandler(err, request, reply);
}
