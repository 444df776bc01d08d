/** Time as the platform reads it. */
import type { ClockService } from '@hostplane/sdk';

/** The real clock. Tests give plugins their own {@link ClockService} instead. */
export const systemClock: ClockService = {
  now: () => new Date(),
};
