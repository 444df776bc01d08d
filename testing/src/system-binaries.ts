/**
 * `binariesMissing()`: whether the system programs a test drives (named, dig, dnssec-keygen …)
 * are installed. A test skips with the returned reason when they are not, except under
 * `HOSTPLANE_REQUIRE_SYSTEM=1` (CI), where a missing program is a failure, not a skip.
 */
import { accessSync, constants } from 'node:fs';

/**
 * Null when every one of `paths` is executable; else the reason to skip, naming what is
 * missing and `install` (e.g. `apt-get install bind9`). Throws under HOSTPLANE_REQUIRE_SYSTEM=1.
 */
export function binariesMissing(paths: string[], install: string): string | null {
  const missing = paths.filter((path) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return null;
  const reason = `needs ${missing.join(', ')}: ${install}`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}
