import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningDaemon } from '../../../src/daemon.js';
import { startLoggedDaemon, whenReady } from '../e2e/sentinel.js';
import type { RunningCollector } from './collector-process.js';
import { fetchPage, sentinelView, type SentinelExporterView } from './metrics-pages.js';

export interface SentinelBesideOptions {
  /** probe.interval and probe.timeout, Go-style (default 1s and 800ms) */
  readonly interval?: string;
  readonly timeout?: string;
  /** more lines for the sentinel config (YAML, top level), e.g. thresholds */
  readonly extraYaml?: readonly string[];
}

/**
 * otel-sentinel's daemon (startDaemon, as `otel-sentinel serve` runs it) beside a real collector:
 * `collector.config_files` is the collector's very config file, the process is found by its name
 * and the telemetry URL is derived from that config, as in a deployment. Lifecycle: start (resolves
 * once the first round is done: /readyz), `stop()` in a teardown.
 */
export interface SentinelBeside {
  readonly daemon: RunningDaemon;
  readonly url: string;
  readonly metricsUrl: string;
  /** its log (JSON lines, warn and above), to explain a failure */
  log(): string;
  /** its /metrics page, read per exporter */
  view(): Promise<Map<string, SentinelExporterView>>;
  stop(): Promise<void>;
}

export async function startSentinelBeside(collector: RunningCollector, o: SentinelBesideOptions = {}): Promise<SentinelBeside> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-beside-'));
  const file = join(dir, 'sentinel.yaml');
  writeFileSync(
    file,
    [
      'listen: "127.0.0.1:0"',
      'collector:',
      `  config_files: [${JSON.stringify(collector.configFile)}]`,
      '  process:',
      `    name: ${JSON.stringify(collector.processName)}`,
      'probe:',
      `  interval: ${o.interval ?? '1s'}`,
      `  timeout: ${o.timeout ?? '800ms'}`,
      'log:',
      '  level: warn',
      ...(o.extraYaml ?? []),
    ].join('\n'),
  );
  const { daemon, log } = await startLoggedDaemon(file, dir);
  const url = `http://127.0.0.1:${daemon.address.port}`;
  let stopped = false;
  const sentinel: SentinelBeside = {
    daemon,
    url,
    metricsUrl: `${url}/metrics`,
    log,
    view: async () => sentinelView(await fetchPage(`${url}/metrics`)),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return whenReady(sentinel, url, log);
}
