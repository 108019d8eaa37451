import pino from 'pino';
import type { Command, Io } from './command.js';
import { COLOUR, PLAIN, renderReport } from './check-report.js';
import { loadAll } from './load-all.js';
import { createMonitor } from './monitor.js';
import { createProber } from './probe/create-prober.js';
import { createCollectorWatcher } from './collector/collector-watcher.js';
import { createTelemetryScraper } from './collector/telemetry-scraper.js';

export interface CheckOptions {
  readonly procRoot?: string;
}

/**
 * `otel-sentinel check`: one round of exactly what the daemon runs, then the report (or the
 * diagnosis document with --json). Exit 0 all healthy, 1 a problem is active, 2 an exporter that
 * is not there; throws ConfigError for an unusable configuration (the CLI exits 2).
 */
export async function runCheck(cmd: Command, io: Io, opts: CheckOptions = {}): Promise<number> {
  const collector = createCollectorWatcher({ procRoot: opts.procRoot });
  const loaded = await loadAll(cmd.flags, collector, io.env);
  let model = loaded.model;
  if (cmd.exporters.length > 0) {
    const known = new Set(model.exporters.map((e) => e.name));
    const unknown = cmd.exporters.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      const list = [...known].join(', ') || 'none';
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
  monitor.apply(loaded.config, model, loaded.env);
  let d;
  try {
    await monitor.runOnce();
    d = monitor.diagnosis();
  } finally {
    monitor.close();
  }
  if (cmd.json) {
    io.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  } else {
    const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
    io.stdout.write(renderReport(d, colour ? COLOUR : PLAIN));
  }
  return d.healthy ? 0 : 1;
}
