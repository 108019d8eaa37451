import t from 'tap';
import { negotiateFormat } from '../../src/metrics/metrics-format.js';

t.test('Accept decides between the Prometheus text format and OpenMetrics', async (t) => {
  const cases: [string | undefined, 'prometheus' | 'openmetrics'][] = [
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['text/plain;version=0.0.4;q=1,*/*;q=0.1', 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    // what Prometheus 2.x sends by default
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    ['text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['APPLICATION/OPENMETRICS-TEXT', 'openmetrics'],
    ['application/json', 'prometheus'],
  ];
  for (const [accept, want] of cases) t.equal(negotiateFormat(accept), want, String(accept));
});
