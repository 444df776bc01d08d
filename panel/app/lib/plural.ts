/** Counts in words: `plural(1, 'website')` → "1 website", `plural(3, 'website')` → "3 websites". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "Your package allows 1 website, and 1 is in use." from a LIMITS_ERR_EXCEEDED refusal's details. */
export function limitText({ resource, used, limit }: { resource: string; used: number; limit: number }): string {
  const one = resource.replaceAll('_', ' ').replace(/s$/, '');
  return `Your package allows ${plural(limit, one)}, and ${used} ${used === 1 ? 'is' : 'are'} in use.`;
}
