/**
 * Hostile inputs for every operation of an OpenAPI 3 document, generated from its schemas: a
 * plausible request (what a schema-following client sends), then one field at a time replaced
 * by something a careless or hostile client sends (NUL, lone surrogates, overlong text, wrong
 * types, huge numbers). One field at a time, so the rest of the request stays valid and the bad
 * value travels as far into the handler as the schema lets it.
 */

/** An OpenAPI / JSON schema, loosely. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. `/v1/users/{id}`. */
  path: string;
  parameters: Parameter[];
  body: Schema | null;
}

/** One request to send. */
export interface FuzzCase {
  /** What was changed, for the failure message: `query search = NUL`. */
  what: string;
  url: string;
  payload?: unknown;
  /** A raw body (sent as is, JSON content type). */
  rawBody?: string;
}

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>
  >;
  components?: { schemas?: Record<string, Schema> };
}

/** Every operation of the document, `$ref`s resolved. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 20) return schema;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve(doc.components?.schemas?.[name], depth + 1);
    }
    return schema;
  };
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const body = resolve(op.requestBody?.content?.['application/json']?.schema) ?? null;
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) ?? {} })),
        body: body ? deref(body, resolve) : null,
      });
    }
  }
  return out;
}

function deref(schema: Schema, resolve: (s: Schema | undefined) => Schema | undefined, depth = 0): Schema {
  const s = resolve(schema) ?? {};
  if (depth > 8) return s;
  const next = (x: Schema) => deref(x, resolve, depth + 1);
  return {
    ...s,
    ...(s.properties ? { properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, next(v)])) } : {}),
    ...(s.items ? { items: next(s.items) } : {}),
    ...(s.anyOf ? { anyOf: s.anyOf.map(next) } : {}),
    ...(s.oneOf ? { oneOf: s.oneOf.map(next) } : {}),
    ...(s.allOf ? { allOf: s.allOf.map(next) } : {}),
  };
}

const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

// Candidates tried against a `pattern`, so a plausible request passes it more often than not.
const PATTERN_GUESSES = ['fuzz-site.example.com', 'fuzz', 'a', 'fuzz-1', 'fuzz_1', '/fuzz', 'https://example.com', '1'];

function sampleString(s: Schema): string {
  if (s.format === 'email') return 'fuzz@example.com';
  if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  if (s.format === 'date-time') return new Date(0).toISOString();
  if (s.format === 'uri') return 'https://example.com/';
  if (s.pattern) {
    const re = new RegExp(s.pattern, 'u');
    const found = PATTERN_GUESSES.find((g) => re.test(g));
    if (found) return found;
  }
  return 'fuzz'.padEnd(s.minLength ?? 0, 'z');
}

/** A value that satisfies `s` as far as a quick guess can. */
export function sampleOf(s: Schema, depth = 0): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.examples && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  const choices = s.anyOf ?? s.oneOf;
  if (choices) {
    const first = choices.find((c) => !typesOf(c).includes('null')) ?? choices[0];
    return first ? sampleOf(first, depth + 1) : null;
  }
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => sampleOf(x, depth + 1)));
  const type = typesOf(s).find((t) => t !== 'null') ?? (s.properties ? 'object' : 'string');
  switch (type) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 6) return out;
      for (const key of s.required ?? []) {
        const prop = s.properties?.[key];
        if (prop) out[key] = sampleOf(prop, depth + 1);
      }
      return out;
    }
    default:
      return sampleString(s);
  }
}

const MB = 1_000_000;
const NUL: [string, unknown] = ['NUL', 'a\u0000b'];
const SURROGATE: [string, unknown] = ['lone surrogate', 'a\ud800b'];
const NUL_ARRAY: [string, unknown] = ['array of NUL', ['\u0000']];

/**
 * Values for a JSON body field, by the type its schema states: what can get past that type's
 * checks, and one wrong type (the schema refuses every wrong type alike, so one is enough).
 */
const BY_TYPE: Record<string, Array<[string, unknown]>> = {
  string: [NUL, SURROGATE, ['1 MB string', 'x'.repeat(MB)], ['2^63', 2 ** 63]],
  integer: [
    ['1e308', 1e308],
    ['2^63', 2 ** 63],
    ['-2^63', -(2 ** 63)],
    ['-1', -1],
    ['1.5', 1.5],
    ['"1e308"', '1e308'],
  ],
  boolean: [['"true"', 'true']],
  object: [['object with a NUL key', { '\u0000': 'x' }], NUL_ARRAY],
  array: [NUL_ARRAY, ['array of 1 MB', ['x'.repeat(MB)]], NUL],
  null: [NUL],
};
BY_TYPE.number = BY_TYPE.integer!;

/** Every value of every type: for a field whose schema states no type. */
export const BODY_VALUES: Array<[string, unknown]> = [
  ...new Map(
    Object.values(BY_TYPE)
      .flat()
      .map((entry) => [entry[0], entry]),
  ).values(),
  ['true', true],
  ['null', null],
];

/** The values worth sending to a field of schema `s`. */
export function bodyValuesFor(s: Schema): Array<[string, unknown]> {
  const choices = [s, ...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  const types = new Set(choices.flatMap(typesOf));
  if (choices.some((c) => c.properties)) types.add('object');
  if (choices.some((c) => c.items)) types.add('array');
  if (types.size === 0) return BODY_VALUES;
  const values = [...new Map([...types].flatMap((type) => BY_TYPE[type] ?? BODY_VALUES).map((e) => [e[0], e])).values()];
  // A string with a maxLength is refused one past it, as surely as at 1 MB and far cheaper to
  // send and parse; only a string without one gets the megabyte (that is where it is news).
  const limits = choices.filter((c) => typesOf(c).includes('string')).map((c) => c.maxLength);
  if (limits.length === 0 || limits.some((limit) => limit === undefined || limit >= MB)) return values;
  const longest = Math.max(...(limits as number[]));
  return values.map((entry) => (entry[0] === '1 MB string' ? [`${longest + 1} characters`, 'x'.repeat(longest + 1)] : entry));
}

/** Values for a query or path parameter, already percent-encoded. */
export const URL_VALUES: Array<[string, string]> = [
  ['NUL', 'a%00b'],
  ['lone surrogate (CESU-8)', '%ED%A0%80'],
  ['invalid UTF-8', '%FF'],
  ['8 KiB', 'x'.repeat(8192)],
  ['1e308', '1e308'],
  ['2^63', '9223372036854775808'],
  ['-2^63-1', '-9223372036854775809'],
  ['-1', '-1'],
  ['1.5', '1.5'],
  ['empty', ''],
  ['not a number', 'abc'],
  ['NaN', 'NaN'],
  ['array', '1&%s=2'],
];

/** A field of a body schema a value can replace: its path (`["limits", "websites"]`) and schema. */
export interface Field {
  path: Array<string | number>;
  schema: Schema;
}

/** Every field of a body schema, nested ones included. */
export function fieldsOf(s: Schema, prefix: Array<string | number> = [], depth = 0): Field[] {
  if (depth > 4) return [];
  const out: Field[] = [];
  const objectLike = s.properties ?? (s.anyOf ?? s.oneOf)?.find((c) => c.properties)?.properties;
  if (objectLike) {
    for (const [key, prop] of Object.entries(objectLike)) {
      out.push({ path: [...prefix, key], schema: prop });
      out.push(...fieldsOf(prop, [...prefix, key], depth + 1));
    }
  }
  const items = s.items ?? (s.anyOf ?? s.oneOf)?.find((c) => c.items)?.items;
  if (items) {
    out.push({ path: [...prefix, 0], schema: items });
    out.push(...fieldsOf(items, [...prefix, 0], depth + 1));
  }
  return out;
}

/** A copy of `base` with `value` at `path`, making the containers on the way. */
export function withValue(base: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const array = Array.isArray(base) ? [...(base as unknown[])] : [];
    array[head] = withValue(array[head], rest, value);
    return array;
  }
  const object = typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...(base as object) } : {};
  (object as Record<string, unknown>)[head!] = withValue((object as Record<string, unknown>)[head!], rest, value);
  return object;
}

function urlOf(op: Operation, pathValues: Record<string, string>, query: Record<string, string>): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => pathValues[name] ?? 'x');
  const pairs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${v.replace('%s', encodeURIComponent(k))}`);
  return pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
}

/**
 * The hostile requests for `op`. `realIds` gives a path parameter a value naming something that
 * exists, so query and body values get past the lookup; path values themselves are fuzzed too.
 */
export function casesOf(
  op: Operation,
  realIds: Record<string, string>,
  bodyLimit: number,
): { base: FuzzCase; cases: FuzzCase[] } {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const basePath = Object.fromEntries(
    pathParams.map((p) => [p.name, realIds[p.name] ?? encodeURIComponent(String(sampleOf(p.schema!)))]),
  );
  const baseQuery = Object.fromEntries(
    queryParams.filter((p) => p.required).map((p) => [p.name, encodeURIComponent(String(sampleOf(p.schema!)))]),
  );
  const baseBody = op.body ? sampleOf(op.body) : undefined;
  const withBody = (c: Omit<FuzzCase, 'payload'>): FuzzCase => (baseBody === undefined ? c : { ...c, payload: baseBody });
  const cases: FuzzCase[] = [];

  for (const p of pathParams) {
    for (const [label, value] of URL_VALUES) {
      if (label === 'array') continue;
      cases.push(withBody({ what: `path ${p.name} = ${label}`, url: urlOf(op, { ...basePath, [p.name]: value }, baseQuery) }));
    }
  }
  for (const p of queryParams) {
    for (const [label, value] of URL_VALUES) {
      cases.push(withBody({ what: `query ${p.name} = ${label}`, url: urlOf(op, basePath, { ...baseQuery, [p.name]: value }) }));
    }
  }
  if (op.body) {
    const url = urlOf(op, basePath, baseQuery);
    for (const field of fieldsOf(op.body)) {
      for (const [label, value] of bodyValuesFor(field.schema)) {
        cases.push({ what: `body /${field.path.join('/')} = ${label}`, url, payload: withValue(baseBody, field.path, value) });
      }
    }
    for (const [label, value] of BODY_VALUES) cases.push({ what: `the whole body = ${label}`, url, payload: value });
    // Past the limit: a JSON string a little longer than the host takes.
    cases.push({ what: 'a body past the body limit', url, rawBody: JSON.stringify('x'.repeat(bodyLimit + 16)) });
  }
  return { base: withBody({ what: 'a plausible request', url: urlOf(op, basePath, baseQuery) }), cases };
}
