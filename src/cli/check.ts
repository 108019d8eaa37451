import pino from 'pino';
import { errorDocument, type Command, type Io } from './command.js';
import { assembleDiagnosis, collectorDiagnosis } from '../diagnose/diagnosis.js';
import type { Diagnosis } from '../diagnose/diagnosis.js';
import { NOT_INSPECTED } from '../diagnose/collector-report.js';
import { COLOUR, PLAIN, renderReport } from '../views/check-report.js';
import { loadAll } from '../config/load-all.js';
import { createMonitor } from '../monitor.js';
import { createProber } from '../probe/create-prober.js';
import { createCollectorWatcher, NOTHING_READ } from '../collector/collector-watcher.js';
import { createTelemetryScraper } from '../collector/telemetry-scraper.js';

export interface CheckOptions {
  readonly procRoot?: string;
}

/** Whether a diagnosis fails the run at this --fail-on level. */
export function fails(d: Diagnosis, failOn: Command['failOn']): boolean {
  if (failOn === 'never') return false;
  if (failOn === 'warning') return !d.healthy;
  const critical = (ps: readonly { severity: string }[]): boolean => ps.some((p) => p.severity === 'critical');
  return critical(d.collector.problems) || d.exporters.some((e) => critical(e.problems));
}

/**
 * `otel-sentinel check`: one round of exactly what the daemon runs, then the report (or the
 * diagnosis document with --json). Exit 0 all healthy, 1 a problem is active, 2 an exporter that
 * is not there; throws ConfigError for an unusable configuration (the CLI exits 2).
 */
export async function runCheck(cmd: Command, io: Io, opts: CheckOptions = {}): Promise<number> {
  // --no-collector: no process is looked for, so its environment is ours and nothing is inspected
  const collector = cmd.noCollector
    ? { locate: async () => null, read: async () => NOTHING_READ, ownEnvironment: true }
    : createCollectorWatcher({ procRoot: opts.procRoot });
  const loaded = await loadAll(cmd.flags, collector, io.env);
  let model = loaded.model;
  if (cmd.exporters.length > 0) {
    const known = new Set(model.exporters.map((e) => e.name));
    const unknown = cmd.exporters.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      const list = [...known].join(', ') || 'none';
      if (cmd.json) io.stdout.write(errorDocument('usage', `--exporter ${unknown.join(', ')}: not an OTLP exporter used by a pipeline (known: ${list})`));
      io.stderr.write(`otel-sentinel: --exporter ${unknown.join(', ')}: not an OTLP exporter used by a pipeline (known: ${list})\n`);
      return 2;
    }
    model = { ...model, exporters: model.exporters.filter((e) => cmd.exporters.includes(e.name)) };
  }
  const monitor = createMonitor({
    logger: pino({ level: 'silent' }),
    createProber,
    collector,
    telemetry: createTelemetryScraper(),
  });
  if (cmd.noCollector) model = { ...model, telemetryUrl: '' };
  monitor.apply(loaded.config, model, loaded.env);
  let d;
  try {
    await monitor.runOnce();
    d = monitor.diagnosis();
    // nothing was inspected: the collector is not known, not missing
    if (cmd.noCollector) d = assembleDiagnosis(d.checked_at, collectorDiagnosis(NOT_INSPECTED, false), d.exporters);
  } finally {
    monitor.close();
  }
  if (cmd.json) {
    io.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  } else {
    const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
    io.stdout.write(renderReport(d, colour ? COLOUR : PLAIN, { noCollector: cmd.noCollector }));
  }
  return fails(d, cmd.failOn) ? 1 : 0;
}
