/** Quoting for the two config languages we write. Values are validated before; these are the last guard. */

/** An NGINX string in single quotes. `$` would interpolate a variable, so it is refused, as are control characters. */
export function nginxString(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[$\u0000-\u0009\u000b-\u001f\u007f]/.test(value)) throw new TypeError(`unsafe NGINX string ${JSON.stringify(value)}`);
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An absolute path safe as a bare NGINX or php-fpm token (no quoting needed). */
export function safePath(value: string): string {
  if (!/^\/[A-Za-z0-9._/+-]*$/.test(value) || value.includes('/../') || value.endsWith('/..')) {
    throw new TypeError(`unsafe path ${JSON.stringify(value)}: use letters, digits and ._-+/ only`);
  }
  return value;
}

/** A PHP single-quoted string literal. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
