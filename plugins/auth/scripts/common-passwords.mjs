// Regenerates data/common-passwords.txt from @zxcvbn-ts/language-common's password dictionary
// (ranked by frequency): the 10,000 most common, plus every entry of the full list long enough
// to pass the 12-character minimum on its own (a short one is refused by length already).
// Lowercased and deduplicated; the plugin compares case-insensitively.
// Run: node plugins/auth/scripts/common-passwords.mjs
import { writeFileSync } from 'node:fs';
import { dictionary } from '@zxcvbn-ts/language-common';

const ranked = dictionary['passwords-common'];
const MIN_LENGTH = 12;
const picked = new Set();
ranked.forEach((word, rank) => {
  const lower = String(word).toLowerCase();
  if (rank < 10_000 || lower.length >= MIN_LENGTH) picked.add(lower);
});
const out = new URL('../data/common-passwords.txt', import.meta.url);
writeFileSync(out, `${[...picked].join('\n')}\n`);
process.stdout.write(`wrote ${picked.size} passwords to ${out.pathname}\n`);
