/**
 * Fastify's own schema compilers, loaded and run only when a route's schema is first used.
 *
 * Fastify compiles every route's validators (Ajv) and response serializers
 * (fast-json-stringify) when an app becomes ready, and loads both compilers (two copies of Ajv,
 * ajv-formats, fast-json-stringify) as soon as an app is made. Most routes of a hosting panel
 * are never called in a given process lifetime, so each schema is compiled when its route first
 * needs it, with Fastify's own compilers and options: validation and serialization are the same
 * as before, except that JSON bodies are not type-coerced (see `bodyOptions`). The modules
 * themselves load on that first compile too, which keeps an isolated plugin's process about
 * 4.5 MB smaller until (and unless) a route with a schema is called.
 *
 * Used by the host's app (host/src/server/lazy-compilers.ts adds a meta-schema check at
 * ready) and by an isolated plugin's route app (routes.ts). It lives beside the runner because
 * an isolated plugin's process may read the runner's folder and nothing else of the kernel.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type SchemaCompilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Compile = (route: { schema: unknown; httpPart?: string }) => CompiledFunction;
type CompiledFunction = ((...args: unknown[]) => unknown) & { errors?: unknown };
type CompilerFactory = (externalSchemas: unknown, options: unknown) => Compile;

/** Options of {@link lazySchemaCompilers}. */
export interface LazySchemaCompilerOptions {
  /** Called at ready() with every schema, before deferring it (e.g. a meta-schema check). */
  check?: (schema: unknown) => void;
}

// Resolved through Fastify, so the compilers are the ones it would use itself.
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
let validatorFactory: CompilerFactory | undefined;
let serializerFactory: CompilerFactory | undefined;

function validators(): CompilerFactory {
  validatorFactory ??= (fastifyRequire('@fastify/ajv-compiler') as { AjvCompiler: () => CompilerFactory }).AjvCompiler();
  return validatorFactory;
}

function serializers(): CompilerFactory {
  serializerFactory ??= (
    fastifyRequire('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => CompilerFactory }
  ).SerializerSelector();
  return serializerFactory;
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
function deferred(compiler: () => Compile, given: { schema: unknown; httpPart?: string }): CompiledFunction {
  const route = given.httpPart === 'headers' ? { ...given, schema: lowerCaseHeaderNames(given.schema) } : given;
  let compiled: CompiledFunction | undefined;
  const forward: CompiledFunction = function (this: unknown, ...args: unknown[]) {
    compiled ??= compiler()(route);
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

/**
 * Ajv options for JSON bodies: no type coercion. Coercion is for text (a query string's `5`,
 * a path's id); a JSON body already says what type each value is, and coercing it turns
 * `0` into `null` against a `null | integer` schema (Ajv tries the null branch first and
 * coerces), which made an explicit limit of 0 mean "unlimited". Everything else is kept.
 */
function bodyOptions(compilerOptions: unknown): unknown {
  const given = (compilerOptions ?? {}) as { customOptions?: Record<string, unknown> };
  return { ...given, customOptions: { ...given.customOptions, coerceTypes: false } };
}

/** One side (validators or serializers): Fastify's factory, made on the first compile. */
function lazySide(factory: () => CompilerFactory, options: LazySchemaCompilerOptions, strictBodies: boolean) {
  return (externalSchemas: unknown, compilerOptions: unknown) => {
    let compile: Compile | undefined;
    let compileBody: Compile | undefined;
    const compiler = () => (compile ??= factory()(externalSchemas, compilerOptions));
    const bodyCompiler = () => (compileBody ??= factory()(externalSchemas, bodyOptions(compilerOptions)));
    return (route: { schema: unknown; httpPart?: string }) => {
      options.check?.(route.schema);
      return deferred(strictBodies && route.httpPart === 'body' ? bodyCompiler : compiler, route);
    };
  };
}

/** Fastify's default compilers, each schema compiled on its route's first use. */
export function lazySchemaCompilers(options: LazySchemaCompilerOptions = {}): SchemaCompilers {
  return {
    buildValidator: lazySide(validators, options, true),
    buildSerializer: lazySide(serializers, options, false),
  } as unknown as SchemaCompilers;
}
