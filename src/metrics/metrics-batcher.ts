import type { ExporterDiagnosis, Diagnosis } from '../diagnose/diagnosis.js';
import type { ProbeResult } from '../diagnose/classify-probe.js';
import type { Metrics } from './metrics.js';

/** The diagnosis as the batcher follows it: the exporters probed since the last call, or all of it. */
export interface DiagnosisChanges {
  /** the entries probed since the last call; null when the whole diagnosis is to be read */
  takeChanges(): ExporterDiagnosis[] | null;
  diagnosis(): Diagnosis;
}

export interface MetricsBatcherOptions {
  readonly metrics: Pick<Metrics, 'recordProbe' | 'update' | 'updateExporters'>;
  readonly source: DiagnosisChanges;
  /** how long changes gather before one update (default 100 ms) */
  readonly batchMs?: number;
}

/**
 * How /metrics follows the diagnosis: in batches, one update for many probes finishing together;
 * an exporter going down or coming back is shown at once (alerts wait on it). Between rounds of
 * the collector only single exporters change, and just theirs are updated. Lifecycle: one per
 * daemon; `probed()` and `changed()` from the monitor's hooks, `flush()` after a reload, `stop()` once.
 */
export interface MetricsBatcher {
  /** a probe finished: counted at once; a change of up/down makes the next change flush at once */
  probed(exporter: string, result: ProbeResult, previous: ProbeResult | null): void;
  /** the diagnosis changed: flushed now (up/down changed) or within the batch time */
  changed(): void;
  /** updates the metrics now */
  flush(): void;
  /** drops a pending update */
  stop(): void;
}

export function createMetricsBatcher(opts: MetricsBatcherOptions): MetricsBatcher {
  const batchMs = opts.batchMs ?? 100;
  let timer: NodeJS.Timeout | null = null;
  let upChanged = false;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const probed = opts.source.takeChanges();
    if (probed) opts.metrics.updateExporters(probed);
    else opts.metrics.update(opts.source.diagnosis());
  };

  return {
    probed(exporter, result, previous) {
      opts.metrics.recordProbe(exporter, result.up);
      // the first result of each exporter goes with the batch: at start they all arrive together
      if (previous && previous.up !== result.up) upChanged = true;
    },
    changed() {
      if (upChanged) {
        upChanged = false;
        flush();
        return;
      }
      timer ??= setTimeout(flush, batchMs);
    },
    flush,
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
