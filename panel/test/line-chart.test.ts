/** The SVG chart of plugin pages, rendered on the server: lines from real rows, no script, figures in a table. */
import t from 'tap';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { formatAxis, LineChart, pathOf } from '../app/components/line-chart.js';

t.test('points spread along x and scaled to the largest value', async (t) => {
  t.equal(pathOf([0, 5, 10], 10), 'M64.0,172.0 L346.0,92.0 L628.0,12.0');
  t.equal(pathOf([3], 0), 'M64.0,172.0', 'nothing to scale: the baseline');
  t.equal(formatAxis(2048, 'bytes'), '2.0 kB');
  t.equal(formatAxis(12_345, 'number'), '12k');
});

t.test('a chart of two series, with its figures and no script', async (t) => {
  const rows = [
    { at: '2026-12-04T00:00:00.000Z', requests: 10, status5xx: 1 },
    { at: '2026-12-05T00:00:00.000Z', requests: 30, status5xx: 'x' },
  ];
  const html = renderToStaticMarkup(
    createElement(LineChart, {
      title: 'Requests per day',
      rows,
      x: 'at',
      series: [
        { field: 'requests', label: 'Requests' },
        { field: 'status5xx', label: '5xx' },
      ],
    }),
  );
  t.match(html, /<svg[^>]*role="img"[^>]*aria-label="Requests per day"/);
  t.equal((html.match(/<path /g) ?? []).length, 2, 'one line per series');
  t.match(html, /<td>12-05<\/td><td>30<\/td><td>0<\/td>/, 'a value that is not a number counts as 0');
  t.notMatch(html, /<script/);
  const empty = renderToStaticMarkup(createElement(LineChart, { title: 'x', rows: [], x: 'at', series: [] }));
  t.match(empty, /No data for this period yet/);
});
