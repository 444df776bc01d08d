/**
 * Turn Fastify's schema-validation error (AJV's output) into our `{ field, message }` list.
 * Fields are paths like `/body/name` or `/query/limit`, so a client can point at the input.
 */
import type { FastifySchemaValidationError } from 'fastify';
import type { ValidationIssue } from './errors.js';

// Fastify calls the query string `querystring`; clients know it as the query.
const PART: Record<string, string> = { querystring: 'query' };

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The offending field of one AJV error: the missing or unknown property where AJV names one. */
function fieldOf(part: string, issue: FastifySchemaValidationError): string {
  const params = issue.params as { missingProperty?: unknown; additionalProperty?: unknown };
  let path = issue.instancePath;
  if (typeof params.missingProperty === 'string') path += `/${escapePointer(params.missingProperty)}`;
  if (typeof params.additionalProperty === 'string') path += `/${escapePointer(params.additionalProperty)}`;
  return `/${PART[part] ?? part}${path}`;
}

function messageOf(issue: FastifySchemaValidationError): string {
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'additionalProperties') return 'is not allowed';
  return issue.message ?? 'is invalid';
}

/** Issues of a validation error raised for request part `part` (`body`, `querystring` …). */
export function validationIssues(part: string, errors: FastifySchemaValidationError[]): ValidationIssue[] {
  return errors.map((issue) => ({ field: fieldOf(part, issue), message: messageOf(issue) }));
}
