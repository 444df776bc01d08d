// Lines of `react-router build` output that are noise, not news (see build.mjs for why).
export const NOISE = new Set(['The `envFile` option is deprecated, please use `envDir: false` instead.']);

/** Whether a line of build output (colour codes and all) is one of {@link NOISE}. */
export function isNoise(line) {
  // eslint-disable-next-line no-control-regex -- colour codes around the line
  return NOISE.has(line.replace(/\u001b\[[0-9;]*m/g, '').trim());
}
