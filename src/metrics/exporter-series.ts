import { PHASES, type ExporterDiagnosis } from '../diagnose/diagnosis.js';
import { EXPORTER_CAUSES } from '../diagnose/problem.js';
import type { MetricSet } from './metric-set.js';
import type { Series } from './series-book.js';

/** The gauge series one exporter should have, read from its entry of the diagnosis. */
export function exporterSeries(m: MetricSet, e: ExporterDiagnosis): Series[] {
  const exporter = e.name;
  const out: Series[] = [
    { gauge: m.exporterUp, labels: { exporter }, value: e.up ? 1 : 0 },
    { gauge: m.exporterState, labels: { exporter, state: e.state }, value: 1 },
    {
      gauge: m.exporterInfo,
      labels: { exporter, type: e.type, protocol: e.protocol, endpoint: e.endpoint },
      value: 1,
    },
  ];

  const problems = e.problems;
  const active = new Set<string>(problems.map((p) => p.cause));
  for (const cause of EXPORTER_CAUSES) {
    out.push({ gauge: m.exporterCause, labels: { exporter, cause }, value: active.has(cause) ? 1 : 0 });
  }
  for (const p of problems) {
    out.push({
      gauge: m.exporterProblem,
      labels: { exporter, cause: p.cause, reason: p.reason, severity: p.severity },
      value: 1,
    });
  }

  for (const { name: phase, key } of PHASES) {
    const seconds = e.phases[key];
    // A phase that did not run has no series: a 0 would read as "instant", NaN breaks alerts.
    if (isNumber(seconds)) out.push({ gauge: m.probeDuration, labels: { exporter, phase }, value: seconds });
  }

  const notAfter = e.tls?.not_after ? Date.parse(e.tls.not_after) : NaN;
  if (Number.isFinite(notAfter)) out.push({ gauge: m.tlsNotAfter, labels: { exporter }, value: notAfter / 1000 });

  const q = e.queue;
  if (q && isNumber(q.size) && isNumber(q.capacity) && q.capacity > 0) {
    out.push({ gauge: m.queueFillRatio, labels: { exporter }, value: q.size / q.capacity });
    const toFull = isNumber(q.seconds_to_full) ? q.seconds_to_full : Infinity;
    out.push({ gauge: m.queueSecondsToFull, labels: { exporter }, value: toFull });
  }
  const lost = e.traffic?.lost_per_second;
  if (isNumber(lost)) out.push({ gauge: m.dataLost, labels: { exporter }, value: lost });
  return out;
}

function isNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
