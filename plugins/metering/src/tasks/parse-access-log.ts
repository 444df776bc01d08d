/**
 * Worker-pool task: count the access-log lines of one byte range of a file. A range owns the
 * lines that start inside it (a line cut by its start belongs to the range before), so ranges
 * that tile a file count every line exactly once. Reads in 1 MiB chunks: memory stays bounded
 * whatever the file's size.
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
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
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = input.start;
    // Not at the file's start: skip to the first line that starts inside the range.
    let skipping = input.start > 0;
    if (skipping) {
      const { bytesRead } = await handle.read(buffer, 0, 1, input.start - 1);
      if (bytesRead === 1 && buffer[0] === 10) skipping = false;
    }
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let lineStart = position;
    for (;;) {
      // No more than the range and one line beyond it: a small range reads little.
      const want = Math.min(CHUNK, Math.max(input.end - position, 0) + MAX_LINE + 1);
      const { bytesRead } = await handle.read(buffer, 0, want, position);
      if (bytesRead === 0) break;
      let from = 0;
      let chunkDone = false;
      while (from < bytesRead) {
        const nl = buffer.indexOf(10, from);
        const stop = nl === -1 || nl >= bytesRead ? bytesRead : nl;
        if (skipping) {
          if (nl === -1 || nl >= bytesRead) {
            from = bytesRead;
            break;
          }
          skipping = false;
          from = nl + 1;
          lineStart = position + from;
          if (lineStart >= input.end) {
            chunkDone = true;
            break;
          }
          continue;
        }
        if (pending.length <= MAX_LINE) pending += decoder.write(buffer.subarray(from, stop));
        if (stop === bytesRead) {
          from = bytesRead;
          break;
        }
        pending += decoder.end();
        if (pending.length > MAX_LINE) out.rejected += 1;
        else addLine(out, pending);
        pending = '';
        from = nl + 1;
        lineStart = position + from;
        if (lineStart >= input.end) {
          chunkDone = true;
          break;
        }
      }
      position += bytesRead;
      if (chunkDone) break;
    }
    // A last line without its newline (the file ends there).
    if (!skipping && lineStart < input.end) {
      pending += decoder.end();
      if (pending.length > MAX_LINE) out.rejected += 1;
      else if (pending !== '') addLine(out, pending);
    }
  } finally {
    await handle.close();
  }
  return out;
}
