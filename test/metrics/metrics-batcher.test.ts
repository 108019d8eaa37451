import t from 'tap';
import { createMetricsBatcher } from '../../src/metrics/metrics-batcher.js';
import type { Diagnosis, ExporterDiagnosis } from '../../src/diagnose/diagnosis.js';
import type { ProbeResult } from '../../src/diagnose/classify-probe.js';

const result = (up: boolean): ProbeResult => ({
  up,
  problems: [],
  phases: { dns_seconds: null, connect_seconds: null, tls_seconds: null, request_seconds: null },
  totalSeconds: 0,
  tls: null,
  startedAt: 0,
});

/** Records what the batcher asks of the metrics; the diagnosis side hands out what the test queues. */
function rig(batchMs = 20) {
  const calls: string[] = [];
  let changes: ExporterDiagnosis[] | null = null;
  const batcher = createMetricsBatcher({
    batchMs,
    metrics: {
      recordProbe: (exporter, success) => void calls.push(`probe ${exporter} ${success}`),
      update: () => void calls.push('update all'),
      updateExporters: (entries) => void calls.push(`update ${entries.map((e) => e.name).join(',')}`),
    },
    source: {
      takeChanges: () => {
        const c = changes;
        changes = [];
        return c;
      },
      diagnosis: () => ({}) as Diagnosis,
    },
  });
  const probedSince = (...names: string[]): void => {
    changes = names.map((name) => ({ name }) as ExporterDiagnosis);
  };
  return { calls, batcher, probedSince };
}

const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

t.test('changes gather into one update; the first flush reads the whole diagnosis', async (t) => {
  const { calls, batcher } = rig();
  batcher.probed('a', result(true), null);
  batcher.changed();
  batcher.probed('b', result(true), null);
  batcher.changed();
  t.same(calls, ['probe a true', 'probe b true'], 'counted at once, nothing updated yet');
  await until(() => calls.length > 2);
  t.same(calls.slice(2), ['update all'], 'one update for both');
  batcher.stop();
});

t.test('between rounds only the exporters probed are updated', async (t) => {
  const { calls, batcher, probedSince } = rig();
  batcher.flush();
  probedSince('a', 'c');
  batcher.changed();
  await until(() => calls.length > 1);
  t.same(calls, ['update all', 'update a,c']);
  batcher.stop();
});

t.test('an exporter going down or coming back is shown at once', async (t) => {
  const { calls, batcher, probedSince } = rig(60_000);
  batcher.changed(); // a pending batch, long
  probedSince('a');
  batcher.probed('a', result(false), result(true));
  batcher.changed();
  t.same(calls, ['probe a false', 'update a'], 'flushed without waiting for the batch');
  batcher.probed('a', result(false), result(false));
  batcher.changed();
  t.same(calls, ['probe a false', 'update a', 'probe a false'], 'no change of up: back to batching');
  batcher.stop();
});

t.test('stop() drops a pending update', async (t) => {
  const { calls, batcher } = rig(1);
  batcher.changed();
  batcher.stop();
  await new Promise((r) => setTimeout(r, 20));
  t.same(calls, [], 'nothing updated after stop');
});
