/**
 * The host's route schemas: compiled on first use (core's `lazySchemaCompilers`), and each
 * checked against the JSON Schema meta-schema at ready().
 *
 * Eager compilation at ready() was about a third of the time from start to the first answer
 * on /health, and the host builds a whole new app on each plugin change (generations.ts). What
 * it also gave us, a plugin whose schema is broken being refused at ready() (and the generation
 * built again without it), is kept by the meta-schema check: cheap, and the same "Failed
 * building the validation schema for POST: /v1/x, due to …" error as before.
 */
import { createRequire } from 'node:module';
import { lazySchemaCompilers as deferredCompilers } from '@hostplane/core';
import type { FastifyServerOptions } from 'fastify';

type SchemaCompilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

interface MetaValidator {
  validateSchema(schema: unknown): boolean | Promise<unknown>;
  errorsText(errors?: unknown): string;
  errors?: unknown;
}

// The Ajv Fastify itself uses: resolved through Fastify, so versions never drift.
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
const ajvCompilerRequire = createRequire(fastifyRequire.resolve('@fastify/ajv-compiler'));
let metaValidator: MetaValidator | undefined;

/**
 * Schemas (as JSON) already found valid. The same few schemas recur on every route (the error
 * envelope, ids, pages): 732 checks at a boot with the first-party plugins were 81 distinct
 * schemas, and every rebuilt generation checks them all again. Validity depends on the JSON
 * alone, so each distinct schema is checked once per process.
 */
const validSchemas = new Set<string>();

/** Throw when `schema` is not a valid JSON Schema (draft-07, Ajv's default). */
function assertValidSchema(schema: unknown): void {
  if (typeof schema === 'boolean') return;
  const json = JSON.stringify(schema);
  if (validSchemas.has(json)) return;
  if (!metaValidator) {
    const Ajv = (ajvCompilerRequire('ajv') as { default: new (options: object) => MetaValidator }).default;
    metaValidator = new Ajv({ strict: false, validateFormats: false });
  }
  if (metaValidator.validateSchema(schema) !== true) {
    throw new Error(`schema is invalid: ${metaValidator.errorsText(metaValidator.errors)}`);
  }
  validSchemas.add(json);
}

/** Fastify's default compilers, each schema compiled on its route's first use and checked at ready(). */
export function lazySchemaCompilers(): SchemaCompilers {
  return deferredCompilers({ check: assertValidSchema });
}
