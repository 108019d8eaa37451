import t from 'tap';
import { Gauge, Registry } from 'prom-client';
import { versionOf, trackVersion } from '../../src/metrics/family-version.js';
import { SeriesBook, type Series } from '../../src/metrics/series-book.js';

function gauges() {
  const registry = new Registry();
  const up = new Gauge({ name: 'up_test', help: 'h', labelNames: ['exporter'], registers: [registry] });
  const phase = new Gauge({ name: 'phase_test', help: 'h', labelNames: ['exporter', 'phase'], registers: [registry] });
  trackVersion(up);
  trackVersion(phase);
  /** every series of the registry, as "name{labels} value" */
  const shown = async (): Promise<string[]> =>
    (await registry.getMetricsAsJSON()).flatMap((m) =>
      m.values.map((v) => `${m.name}{${Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).join(',')}} ${v.value}`),
    ).sort();
  return { up, phase, shown };
}

t.test('the same series again: only changed values are set, and only their family moves', async (t) => {
  const { up, phase, shown } = gauges();
  const book = new SeriesBook();
  const want = (upValue: number, connect: number): Series[] => [
    { gauge: up, labels: { exporter: 'a' }, value: upValue },
    { gauge: phase, labels: { exporter: 'a', phase: 'connect' }, value: connect },
    { gauge: phase, labels: { exporter: 'a', phase: 'total' }, value: 0.5 },
  ];
  book.apply('a', want(1, 0.1));
  t.same(await shown(), ['phase_test{exporter=a,phase=connect} 0.1', 'phase_test{exporter=a,phase=total} 0.5', 'up_test{exporter=a} 1']);
  const upVersion = versionOf(up);
  const phaseVersion = versionOf(phase);
  book.apply('a', want(1, 0.2));
  t.same(await shown(), ['phase_test{exporter=a,phase=connect} 0.2', 'phase_test{exporter=a,phase=total} 0.5', 'up_test{exporter=a} 1']);
  t.equal(versionOf(up), upVersion, 'an unchanged family keeps its version (its text stays cached)');
  t.equal(versionOf(phase), phaseVersion! + 1, 'one changed value, one change');
  book.apply('a', want(1, 0.2));
  t.equal(versionOf(phase), phaseVersion! + 1, 'nothing changed, nothing set');
});

t.test('other series than last time: new ones set, gone ones removed, reordered ones kept', async (t) => {
  const { up, phase, shown } = gauges();
  const book = new SeriesBook();
  book.apply('a', [
    { gauge: up, labels: { exporter: 'a' }, value: 1 },
    { gauge: phase, labels: { exporter: 'a', phase: 'tls' }, value: 0.3 },
  ]);
  book.apply('b', [{ gauge: up, labels: { exporter: 'b' }, value: 0 }]);
  const phaseVersion = versionOf(phase);
  book.apply('a', [
    { gauge: phase, labels: { exporter: 'a', phase: 'request' }, value: 0.4 },
    { gauge: up, labels: { exporter: 'a' }, value: 1 },
  ]);
  t.same(await shown(), ['phase_test{exporter=a,phase=request} 0.4', 'up_test{exporter=a} 1', 'up_test{exporter=b} 0']);
  t.equal(versionOf(phase), phaseVersion! + 2, 'one series added, one removed');

  book.apply('a', [
    { gauge: up, labels: { exporter: 'a' }, value: 0 },
    { gauge: up, labels: { exporter: 'a' }, value: 1 },
    { gauge: phase, labels: { exporter: 'a', phase: 'request' }, value: 0.4 },
  ]);
  t.same(await shown(), ['phase_test{exporter=a,phase=request} 0.4', 'up_test{exporter=a} 1', 'up_test{exporter=b} 0'], 'a label set wanted twice: the later value');
  book.apply('a', [{ gauge: phase, labels: { exporter: 'a', phase: 'request' }, value: 0.4 }]);
  t.same(await shown(), ['phase_test{exporter=a,phase=request} 0.4', 'up_test{exporter=b} 0'], 'and it is removed once');

  book.apply('a', [{ gauge: phase, labels: { exporter: 'a', phase: 'dns' }, value: 0.4 }]);
  t.same(await shown(), ['phase_test{exporter=a,phase=dns} 0.4', 'up_test{exporter=b} 0'], 'same family and length, other labels');
  book.drop('a');
  t.same(await shown(), ['up_test{exporter=b} 0'], 'drop() removes every series of its owner, no other');
  book.apply('a', [{ gauge: up, labels: { exporter: 'a' }, value: 1 }]);
  t.same(await shown(), ['up_test{exporter=a} 1', 'up_test{exporter=b} 0'], 'a dropped owner starts afresh');
});
