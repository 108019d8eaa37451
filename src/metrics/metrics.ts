import { collectDefaultMetrics, type Counter, type Registry } from 'prom-client';
import type { Diagnosis, ExporterDiagnosis } from '../diagnose/diagnosis.js';
import { collectorSeries } from './collector-series.js';
import { exporterSeries } from './exporter-series.js';
import { bumpVersion } from './family-version.js';
import { buildMetricSet } from './metric-set.js';
import { SeriesBook } from './series-book.js';

/**
 * otel-sentinel's metrics (docs/metrics.md), filled from the latest diagnosis. Created once per
 * registry for the daemon's lifetime (a second call on the same registry throws, as prom-client
 * refuses duplicate names). All work happens in these methods, none at scrape time.
 */
export interface Metrics {
  /**
   * Makes every series match the diagnosis: exporters absent from it lose all their series,
   * problems that ended lose theirs. Cost grows with the exporters whose entry changed (an
   * unchanged ExporterDiagnosis object is skipped); call it once per finished probe round or
   * probe, not per scrape.
   */
  update(d: Diagnosis): void;
  /**
   * Updates the series of these exporters alone, from their new entries: for the exporters probed
   * since the last update, when nothing else changed (no exporter added or removed, the collector's
   * report the same). Costs what those entries cost, whatever the number of exporters.
   */
  updateExporters(entries: readonly ExporterDiagnosis[]): void;
  /** Counts one finished probe in `otel_sentinel_probes_total`. */
  recordProbe(exporter: string, success: boolean): void;
  setConfigReloadSuccessful(ok: boolean): void;
  /** Records how late (seconds) a probe started against its schedule. */
  observeScheduleLag(seconds: number): void;
  /** Removes every series of an exporter (also done by update() for exporters that went away). */
  forget(exporter: string): void;
}

const COLLECTOR_OWNER = '\u0000collector';
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createMetrics(registry: Registry, opts: { version: string }): Metrics {
  const m = buildMetricSet(registry);
  // The event loop delay histogram samples with a timer: prom-client's 10 ms wakes an idle daemon
  // 100 times a second (0.6 % of a core on its own); 100 ms still sees any stall worth a metric.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  // Gauges named *_total break the naming rules (promtool rejects them, OpenMetrics reserves the
  // suffix for counters); the same figures are there per type in nodejs_active_{handles,requests,resources}.
  for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  const book = new SeriesBook();

  m.buildInfo.set({ version: opts.version }, 1);
  // The daemon only starts with a usable configuration.
  m.configLastReloadSuccessful.set(1);

  // What each exporter's series were last built from: an unchanged entry object is skipped outright
  // (the monitor keeps an exporter's entry until its own result changes).
  const exporters = new Map<string, ExporterDiagnosis>();
  const lastCounts = { oomKills: 0, restarts: 0 };

  const ensureProbeCounters = (exporter: string): void => {
    // Both results exist from the start, so rate() and increase() see the first failure.
    m.probesTotal.inc({ exporter, result: 'success' }, 0);
    m.probesTotal.inc({ exporter, result: 'failure' }, 0);
  };

  const forget = (exporter: string): void => {
    book.drop(exporter);
    exporters.delete(exporter);
    m.probesTotal.remove({ exporter, result: 'success' });
    m.probesTotal.remove({ exporter, result: 'failure' });
    bumpVersion(m.probesTotal);
  };

  const addDelta = (counter: Counter<string>, key: keyof typeof lastCounts, now: number): void => {
    const before = lastCounts[key];
    // A count below the last one means the source started over: everything it counts is new.
    const delta = now >= before ? now - before : now;
    lastCounts[key] = now;
    if (delta > 0) {
      counter.inc(delta);
      bumpVersion(counter);
    }
  };

  const applyEntry = (e: ExporterDiagnosis): void => {
    const last = exporters.get(e.name);
    if (last === e) return;
    if (!last) {
      ensureProbeCounters(e.name);
      bumpVersion(m.probesTotal);
    }
    exporters.set(e.name, e);
    book.apply(e.name, exporterSeries(m, e));
  };

  return {
    update(d) {
      const before = exporters.size;
      let kept = 0;
      for (const e of d.exporters) {
        if (exporters.has(e.name)) kept++;
        applyEntry(e);
      }
      // Names are unique: when every known exporter is still there, none has to be looked for.
      if (kept < before) {
        const seen = new Set(d.exporters.map((e) => e.name));
        for (const name of [...exporters.keys()]) if (!seen.has(name)) forget(name);
      }

      book.apply(COLLECTOR_OWNER, collectorSeries(m, d.collector));
      addDelta(m.collectorOomKills, 'oomKills', d.collector.oom_kills);
      addDelta(m.collectorRestarts, 'restarts', d.collector.restarts);
    },

    updateExporters(entries) {
      for (const e of entries) applyEntry(e);
    },

    recordProbe(exporter, success) {
      // an exporter with series has both counters already
      if (!exporters.has(exporter)) ensureProbeCounters(exporter);
      m.probesTotal.inc({ exporter, result: success ? 'success' : 'failure' });
      bumpVersion(m.probesTotal);
    },

    observeScheduleLag(seconds) {
      m.probeScheduleLag.observe(seconds);
      bumpVersion(m.probeScheduleLag);
    },

    setConfigReloadSuccessful(ok) {
      m.configLastReloadSuccessful.set(ok ? 1 : 0);
      bumpVersion(m.configLastReloadSuccessful);
    },

    forget,
  };
}
