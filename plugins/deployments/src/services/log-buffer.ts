/**
 * A deployment's log as it grows: keeps the last `limit` bytes, and says when it changed since
 * it was last written to the database (the runner flushes it every second, so a reader polling
 * the deployment sees the build as it goes).
 */
export class LogBuffer {
  private buf = Buffer.alloc(0);
  truncated = false;
  dirty = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer | string): void {
    const more = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.buf = Buffer.concat([this.buf, more]);
    if (this.buf.length > this.limit) {
      this.buf = this.buf.subarray(this.buf.length - this.limit);
      this.truncated = true;
    }
    this.dirty = true;
  }

  line(text: string): void {
    this.push(`${text}\n`);
  }

  text(): string {
    // A cut may split a UTF-8 sequence (the replacement character marks it); NUL cannot go into PostgreSQL text.
    // eslint-disable-next-line no-control-regex -- NUL is exactly what must go
    return this.buf.toString('utf8').replace(/\u0000/g, '\uFFFD');
  }
}
