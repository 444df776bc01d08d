/** The arithmetic of the panel's SVG chart (panel/app/lib/chart.ts). */
import t from 'tap';
import { formatAxis, label, numberAt, pathOf } from '../app/lib/chart.js';

t.test('points spread along x and scaled to the largest value', async (t) => {
  t.equal(pathOf([0, 5, 10], 10), 'M64.0,172.0 L346.0,92.0 L628.0,12.0');
  t.equal(pathOf([3], 0), 'M64.0,172.0', 'nothing to scale: the baseline');
});

t.test('labels and values', async (t) => {
  t.equal(formatAxis(2048, 'bytes'), '2.0 kB');
  t.equal(formatAxis(12_345, 'number'), '12k');
  t.equal(formatAxis(7.4, undefined), '7');
  t.equal(label('2026-12-05T00:00:00.000Z'), '12-05');
  t.equal(label('shop'), 'shop');
  t.equal(numberAt({ a: 'x' }, 'a'), 0, 'a value that is not a number counts as 0');
  t.equal(numberAt({ a: Number.NaN }, 'a'), 0);
  t.equal(numberAt({ a: 3 }, 'a'), 3);
});
