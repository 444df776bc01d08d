/** Let drop-in plugins outside the install tree import the host's `@hostplane/sdk`. */
import { register } from 'node:module';

let registered = false;

/** Register the resolve hook once per process. */
export function registerSdkResolver(): void {
  if (registered) return;
  registered = true;
  register(new URL('../hooks/sdk-resolve.mjs', import.meta.url), {
    data: { sdkBase: import.meta.url },
  });
}
