/**
 * The producers judged as the monitor judges them: each call goes through the composition the
 * monitor itself uses (src/diagnose/judge.ts), so a test sees exactly what a round would.
 */
import { createCollectorWatcher, type CollectorWatcher, type CollectorWatcherOptions } from '../../src/collector/collector-watcher.js';
import type { CollectorReport } from '../../src/diagnose/collector-report.js';
import { createTelemetryScraper, type ScrapeInput, type TelemetryScraper, type TelemetryScraperOptions } from '../../src/collector/telemetry-scraper.js';
import type { CollectorModel } from '../../src/config/collector-model.js';
import type { ExporterSpec } from '../../src/config/exporter-spec.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import type { TelemetryScrape } from '../../src/diagnose/classify-telemetry.js';
import { judgeCollector, judgedProber, judgeProbe, judgeTelemetry } from '../../src/diagnose/judge.js';
import { createProber } from '../../src/probe/create-prober.js';
import type { ProbeResult } from '../../src/diagnose/classify-probe.js';
import type { ExporterProber, ProbeContext } from '../../src/probe/prober.js';

/** An exporter's prober whose `probe()` is one judged probe. */
export interface TestProber extends ExporterProber {
  probe(ctx: ProbeContext): Promise<ProbeResult>;
}

export function createJudgedProber(spec: ExporterSpec): TestProber {
  const p = judgedProber(spec, createProber);
  return {
    observe: (ctx) => p.prober.observe(ctx),
    probe: (ctx) => judgeProbe(p, ctx),
    close: () => p.prober.close(),
  };
}

/** A collector watcher whose `inspect()` is one judged inspection. */
export interface TestWatcher extends CollectorWatcher {
  inspect(config: SentinelConfig, model: CollectorModel | null, signal: AbortSignal): Promise<CollectorReport>;
}

export function createJudgedWatcher(opts: CollectorWatcherOptions = {}): TestWatcher {
  const w = createCollectorWatcher(opts);
  return { ...w, inspect: (config, model, signal) => judgeCollector(w, config, model, signal) };
}

/** A telemetry scraper whose `scrape()` is one judged scrape. */
export interface TestScraper extends TelemetryScraper {
  scrape(input: ScrapeInput, signal: AbortSignal): Promise<TelemetryScrape>;
}

export function createJudgedScraper(opts: TelemetryScraperOptions = {}): TestScraper {
  const s = createTelemetryScraper(opts);
  return { ...s, scrape: (input, signal) => judgeTelemetry(s, input, signal) };
}
