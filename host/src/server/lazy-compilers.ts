/**
 * Route schemas compiled on first use instead of at ready().
 *
 * Fastify compiles every route's validators (Ajv) and response serializers
 * (fast-json-stringify) when an app becomes ready. With every first-party plugin enabled that
 * was about a third of the time from start to the first answer on /health, and the host builds
 * a whole new app on each plugin change (generations.ts). Most routes of a hosting panel are
 * never called in a given process lifetime, so each schema is compiled when its route first
 * needs it, with Fastify's own compilers and options, so validation and serialization are the
 * same as before.
 *
 * What eager compilation also gave us, a plugin whose schema is broken being refused at
 * ready() (and the generation built again without it), is kept by checking every schema
 * against the JSON Schema meta-schema at ready(): cheap, and the same "Failed building the
 * validation schema for POST: /v1/x, due to …" error as before.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type SchemaCompilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Compile = (route: { schema: unknown; httpPart?: string }) => CompiledFunction;
type CompiledFunction = ((...args: unknown[]) => unknown) & { errors?: unknown };

interface MetaValidator {
  validateSchema(schema: unknown): boolean | Promise<unknown>;
  errorsText(errors?: unknown): string;
  errors?: unknown;
}

// The Ajv and compilers Fastify itself uses: resolved through Fastify, so versions never drift.
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
const ajvCompilerRequire = createRequire(fastifyRequire.resolve('@fastify/ajv-compiler'));
const { AjvCompiler } = fastifyRequire('@fastify/ajv-compiler') as {
  AjvCompiler: () => (externalSchemas: unknown, options: unknown) => Compile;
};
const { SerializerSelector } = fastifyRequire('@fastify/fast-json-stringify-compiler') as {
  SerializerSelector: () => (externalSchemas: unknown, options: unknown) => Compile;
};

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

/**
 * Header names arrive lowercased (RFC 9110 §5.1; Node lowercases them). Fastify lowercases a
 * headers schema's names itself, but only for its built-in compiler, so a custom one does it.
 */
function lowerCaseHeaderNames(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const copy: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
  if (typeof copy.properties === 'object' && copy.properties !== null) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([name, sub]) => [name.toLowerCase(), sub]));
  }
  if (Array.isArray(copy.required)) copy.required = copy.required.map((n) => (typeof n === 'string' ? n.toLowerCase() : n));
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(copy[key])) copy[key] = (copy[key] as unknown[]).map(lowerCaseHeaderNames);
  }
  return copy;
}

/** A function that compiles `route`'s schema the first time it is called, then forwards. */
function deferred(compile: Compile, given: { schema: unknown; httpPart?: string }): CompiledFunction {
  const route = given.httpPart === 'headers' ? { ...given, schema: lowerCaseHeaderNames(given.schema) } : given;
  assertValidSchema(route.schema);
  let compiled: CompiledFunction | undefined;
  const forward: CompiledFunction = function (this: unknown, ...args: unknown[]) {
    compiled ??= compile(route);
    const result = compiled.apply(this, args);
    // Fastify reads a failed validation's reasons from the function it was given.
    forward.errors = compiled.errors;
    return result;
  };
  // Fastify passes `{ parentData, parentDataProperty }` to Ajv functions (recognised by this
  // property) so Ajv can coerce a root value in place; the compiled function receives them too.
  (forward as { schemaEnv?: unknown }).schemaEnv = true;
  return forward;
}

/** Fastify's default compilers, each schema compiled on its route's first use. */
export function lazySchemaCompilers(): SchemaCompilers {
  const validators = AjvCompiler();
  const serializers = SerializerSelector();
  return {
    buildValidator: (externalSchemas: unknown, options: unknown) => {
      const compile = validators(externalSchemas, options);
      return (route: { schema: unknown }) => deferred(compile, route);
    },
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const compile = serializers(externalSchemas, options);
      return (route: { schema: unknown }) => deferred(compile, route);
    },
  } as unknown as SchemaCompilers;
}
