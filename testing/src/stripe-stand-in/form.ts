/**
 * Stripe's request bodies are `application/x-www-form-urlencoded` with bracket paths
 * (`metadata[invoice_id]=…`, `line_items[0][price_data][currency]=eur`, `expand[]=latest_charge`),
 * the encoding `stripe-node` writes. This turns them back into the nested object the client
 * was given, so handlers read params as Stripe's reference documents them.
 */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

const MAX_DEPTH = 8;

/** Parse a query string or form body into nested objects and arrays. */
export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  if (!body) return root;
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    const path = splitKey(rawKey);
    if (!path || path.length > MAX_DEPTH) continue;
    assign(root, path, value);
  }
  return arrays(root) as FormObject;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `a[b][0][]` → ['a', 'b', '0', '']; null when malformed. */
function splitKey(key: string): string[] | null {
  const open = key.indexOf('[');
  if (open < 0) return [key];
  const path = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^[\]]*)\]/gy;
  let consumed = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    path.push(m[1]!);
    consumed = re.lastIndex;
  }
  return consumed === rest.length ? path : null;
}

function assign(target: FormObject, path: string[], value: string): void {
  let node: FormObject = target;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') return;
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = Object.create(null) as FormObject;
    node = node[segment] as FormObject;
  }
  const last = path[path.length - 1]!;
  if (last === '__proto__' || last === 'constructor' || last === 'prototype') return;
  // `expand[]=a&expand[]=b`: empty brackets append.
  node[last === '' ? String(Object.keys(node).length) : last] = value;
}

/** Objects whose keys are 0..n-1 become arrays (Stripe's encoding of lists). */
function arrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const k of keys) converted[k] = arrays(value[k]!);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => converted[k]!);
  return converted;
}
