/**
 * Worker-pool task: count the access-log lines of one byte range of a file. A range owns the
 * lines that start inside it (a line cut by its start belongs to the range before), so ranges
 * that tile a file count every line exactly once. Reads in 1 MiB chunks: memory stays bounded
 * whatever the file's size. Line ends are found in the bytes (a newline byte is never part of
 * a UTF-8 sequence) and each line is decoded once.
 */
import { open } from 'node:fs/promises';
import { addLine, emptyAggregate, type Aggregate } from './aggregate.js';

export interface ParseInput {
  file: string;
  /** First byte of the range. */
  start: number;
  /** End of the range (exclusive); lines that start before it are read to their end. */
  end: number;
}

const CHUNK = 1024 * 1024;
/** Longer lines are not records NGINX writes (its buffer is smaller): skipped as rejected. */
const MAX_LINE = 64 * 1024;

export default async function parseAccessLog(input: ParseInput): Promise<Aggregate> {
  const out = emptyAggregate();
  const handle = await open(input.file, 'r');
  try {
    let position = input.start;
    // Not at the file's start: the line in progress belongs to the range before, unless the
    // byte before the range ends a line.
    let skipping = false;
    if (input.start > 0) {
      const one = Buffer.alloc(1);
      const { bytesRead } = await handle.read(one, 0, 1, input.start - 1);
      skipping = !(bytesRead === 1 && one[0] === 10);
    }
    let carry: Buffer | null = null; // the start of a line the previous chunk cut
    let carryTooLong = false;
    let lineStart = position; // file offset of the line being assembled
    for (;;) {
      if (!skipping && carry === null && !carryTooLong && lineStart >= input.end) break;
      // No more than the range and one line beyond it: a small range reads little.
      const want = Math.min(CHUNK, Math.max(input.end - position, 0) + MAX_LINE + 1);
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(chunk, 0, want, position);
      if (bytesRead === 0) break;
      const buf = chunk.subarray(0, bytesRead);
      const chunkStart = position;
      position += bytesRead;
      let from = 0;
      if (skipping) {
        const nl = buf.indexOf(10);
        if (nl === -1) continue;
        skipping = false;
        from = nl + 1;
        lineStart = chunkStart + from;
      }
      let done = false;
      while (from < buf.length) {
        if (lineStart >= input.end) {
          done = true;
          break;
        }
        const nl = buf.indexOf(10, from);
        if (nl === -1) {
          // The line goes on in the next chunk.
          if (carryTooLong || (carry?.length ?? 0) + (buf.length - from) > MAX_LINE) {
            carryTooLong = true;
            carry = null;
          } else {
            carry = carry ? Buffer.concat([carry, buf.subarray(from)]) : Buffer.from(buf.subarray(from));
          }
          from = buf.length;
          break;
        }
        if (carryTooLong) {
          out.rejected += 1;
          carryTooLong = false;
        } else if (carry) {
          addLine(out, Buffer.concat([carry, buf.subarray(from, nl)]).toString('utf8'));
          carry = null;
        } else if (nl > from) {
          if (nl - from > MAX_LINE) out.rejected += 1;
          else addLine(out, buf.toString('utf8', from, nl));
        }
        from = nl + 1;
        lineStart = chunkStart + from;
      }
      if (done) break;
    }
    // A last line without its newline (the file ends there).
    if (carryTooLong) out.rejected += 1;
    else if (carry && lineStart < input.end) addLine(out, carry.toString('utf8'));
  } finally {
    await handle.close();
  }
  return out;
}
