/**
 * A worker-pool task: plain data in, plain data out, no handles. Draws a text banner and
 * stamps it with a slow hash so it is CPU work worth sending to the pool.
 */
import { pbkdf2Sync } from 'node:crypto';

export interface BannerInput {
  text: string;
}

export interface BannerOutput {
  banner: string;
  stamp: string;
}

export default function banner(input: BannerInput): BannerOutput {
  const line = '*'.repeat(input.text.length + 4);
  const stamp = pbkdf2Sync(input.text, 'hostplane-hello', 20_000, 8, 'sha256').toString('hex');
  return { banner: `${line}\n* ${input.text} *\n${line}`, stamp };
}
