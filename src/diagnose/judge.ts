import type { CollectorReport } from './collector-report.js';
import type { CollectorWatcher } from '../collector/collector-watcher.js';
import type { ScrapeInput, TelemetryScraper } from '../collector/telemetry-scraper.js';
import type { CollectorModel } from '../config/collector-model.js';
import type { ExporterSpec } from '../config/exporter-spec.js';
import type { SentinelConfig } from '../config/sentinel-config.js';
import type { ExporterProber, ProbeContext, ProberOptions } from '../probe/prober.js';
import { classifyCollector } from './classify-collector.js';
import { probeJudge, type ProbeJudge, type ProbeResult } from './classify-probe.js';
import { classifyTelemetry, type TelemetryScrape } from './classify-telemetry.js';

/**
 * Reading, then judging: the one composition of a producer and its classifier. The monitor probes,
 * inspects and scrapes through these functions and nothing else; the producers only observe and
 * never import from diagnose/.
 */

/** Makes a prober: the exporter and whether its config leaves anything to try. */
export type MakeProber = (spec: ExporterSpec, opts: ProberOptions) => ExporterProber;

/** An exporter's prober with the judge of its observations. */
export interface JudgedProber {
  readonly prober: ExporterProber;
  readonly judge: ProbeJudge;
}

/** The prober of one exporter and its judge: a config that leaves nothing to try makes a prober that tries nothing. */
export function judgedProber(spec: ExporterSpec, make: MakeProber): JudgedProber {
  const judge = probeJudge(spec);
  return { prober: make(spec, { tryNothing: judge.configBlocks }), judge };
}

/** One probe, judged: what the layers saw, turned into the probe's result. */
export async function judgeProbe(p: JudgedProber, ctx: ProbeContext): Promise<ProbeResult> {
  return p.judge.judge(await p.prober.observe(ctx));
}

/** One inspection of the collector process, judged: the collector block with its problems. */
export async function judgeCollector(
  watcher: Pick<CollectorWatcher, 'read'>,
  config: SentinelConfig,
  model: CollectorModel | null,
  signal: AbortSignal,
): Promise<CollectorReport> {
  return classifyCollector(await watcher.read(config, model, signal), config.thresholds);
}

/** One scrape of the collector's internal metrics, judged: every exporter's queue and the collector's own problems. */
export async function judgeTelemetry(scraper: Pick<TelemetryScraper, 'read'>, input: ScrapeInput, signal: AbortSignal): Promise<TelemetryScrape> {
  return classifyTelemetry(await scraper.read(input, signal), input);
}
