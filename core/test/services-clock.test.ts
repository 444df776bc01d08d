import t from 'tap';
import { systemClock } from '../src/services/clock.js';

t.test('the system clock reads the current time', async (t) => {
  const before = Date.now();
  const now = systemClock.now();
  t.ok(now instanceof Date);
  t.ok(now.getTime() >= before && now.getTime() <= Date.now());
});
