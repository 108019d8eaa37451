import type { CollectorDiagnosis } from '../diagnose/diagnosis.js';
import { COLLECTOR_CAUSES } from '../diagnose/problem.js';
import type { MetricSet } from './metric-set.js';
import type { Series } from './series-book.js';

/** The gauge series of the collector process; a figure that is not known has no series. */
export function collectorSeries(m: MetricSet, c: CollectorDiagnosis): Series[] {
  const out: Series[] = [
    { gauge: m.collectorUp, labels: {}, value: c.found ? 1 : 0 },
    { gauge: m.collectorState, labels: { state: c.state }, value: 1 },
  ];
  const active = new Set<string>(c.problems.map((p) => p.cause));
  for (const cause of COLLECTOR_CAUSES) {
    out.push({ gauge: m.collectorCause, labels: { cause }, value: active.has(cause) ? 1 : 0 });
  }
  for (const p of c.problems) {
    out.push({ gauge: m.collectorProblem, labels: { cause: p.cause, reason: p.reason, severity: p.severity }, value: 1 });
  }
  const figures = [
    [m.collectorOpenFds, c.open_fds],
    [m.collectorMaxFds, c.max_fds],
    [m.collectorResidentMemory, c.rss_bytes],
    [m.collectorMemoryLimit, c.memory_limit_bytes],
  ] as const;
  for (const [gauge, value] of figures) {
    if (typeof value === 'number' && Number.isFinite(value)) out.push({ gauge, labels: {}, value });
  }
  return out;
}
