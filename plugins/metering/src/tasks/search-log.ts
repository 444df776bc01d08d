/**
 * Worker-pool task: the newest lines of a site's log files that match a search, newest first.
 * Reads each file's tail only, within a byte budget for the whole search, so a search of a
 * site with gigabytes of logs costs the same as one of a quiet site.
 */
import { open } from 'node:fs/promises';
import { parseRecord } from './aggregate.js';

export interface SearchInput {
  /** Newest first. */
  files: Array<{ file: string; kind: 'access' | 'error' }>;
  /** Plain text, matched case-insensitively anywhere in the line; '' matches all. */
  query: string;
  /** Access lines only: status at least / below. */
  statusFrom: number | null;
  statusTo: number | null;
  limit: number;
  /** Bytes read in all at most. */
  maxBytes: number;
}

export interface FoundLine {
  kind: 'access' | 'error';
  line: string;
}

export interface SearchResult {
  lines: FoundLine[];
  /** The budget ran out before the oldest file was read to its start. */
  partial: boolean;
  bytesRead: number;
}

/** Longest line returned; longer ones are cut (an error line with a huge request). */
const MAX_LINE = 4096;

export default async function searchLog(input: SearchInput): Promise<SearchResult> {
  const needle = input.query.toLowerCase();
  const out: SearchResult = { lines: [], partial: false, bytesRead: 0 };
  for (const { file, kind } of input.files) {
    const budget = input.maxBytes - out.bytesRead;
    if (budget <= 0) {
      out.partial = true;
      break;
    }
    const handle = await open(file, 'r').catch(() => null);
    if (!handle) continue; // rotated away meanwhile
    let text: string;
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, budget);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      out.bytesRead += length;
      text = buffer.toString('utf8');
      // A cut first line is not a line.
      if (length < size) {
        out.partial = true;
        text = text.slice(text.indexOf('\n') + 1);
      }
    } finally {
      await handle.close();
    }
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      const line = lines[i]!;
      if (line === '') continue;
      if (needle !== '' && !line.toLowerCase().includes(needle)) continue;
      if (kind === 'access' && (input.statusFrom !== null || input.statusTo !== null)) {
        const r = parseRecord(line);
        if (!r) continue;
        if (input.statusFrom !== null && r.s < input.statusFrom) continue;
        if (input.statusTo !== null && r.s >= input.statusTo) continue;
      } else if (kind === 'error' && (input.statusFrom !== null || input.statusTo !== null)) {
        continue;
      }
      out.lines.push({ kind, line: line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line });
      if (out.lines.length >= input.limit) return out;
    }
  }
  return out;
}
