import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrometheusText, type Sample } from '../src/collector/prometheus-text.js';
import { collectorConfig } from './collector-config.js';
import { freePort } from './free-port.js';
import { httpGet, pollUntil } from './http-get.js';
import { IMAGE_NODE_FLAGS, SHIPPED_BIN } from './shipped-bin.js';

/** One exporter of the generated collector config, written as in a collector's `exporters:`. */
export interface BenchExporter {
  /** `otlp/NAME` or `otlphttp/NAME` */
  readonly id: string;
  readonly endpoint: string;
  readonly tls?: { readonly insecure?: boolean; readonly ca_file?: string };
}

export interface SentinelRunOptions {
  /** a fresh directory for this run's config files */
  readonly dir: string;
  readonly exporters: readonly BenchExporter[];
  readonly interval: string;
  readonly timeout: string;
  readonly mode: 'export' | 'handshake';
  /** the process standing in for the collector (its /proc is inspected every round) */
  readonly collectorPid: number;
  /** extra node flags, e.g. --cpu-prof */
  readonly nodeArgs?: readonly string[];
}

/** A running `otel-sentinel serve`. Lifecycle: `startSentinel()`, `waitReady()`, read, `stop()` once. */
export interface SentinelProcess {
  readonly pid: number;
  readonly url: string;
  /** performance.now() just before the spawn */
  readonly spawnedAt: number;
  /** resolves with ms from spawn to the first 200 of /readyz */
  waitReady(deadlineMs?: number): Promise<number>;
  /** the start-up steps of the daemon's `otel-sentinel ready` log line, ms, once it was logged */
  startup(): Record<string, number> | null;
  metrics(): Promise<Sample[]>;
  stop(): Promise<void>;
}


/** Writes the collector config and otel-sentinel's config (JSON is YAML) for one run. */
function writeConfigs(o: SentinelRunOptions, port: number): string {
  mkdirSync(o.dir, { recursive: true });
  const exporters: Record<string, unknown> = {};
  for (const e of o.exporters) exporters[e.id] = { endpoint: e.endpoint, ...(e.tls ? { tls: e.tls } : {}) };
  const collectorFile = join(o.dir, 'collector.yaml');
  writeFileSync(collectorFile, collectorConfig(exporters));
  const sentinel = {
    listen: `127.0.0.1:${port}`,
    collector: { config_files: [collectorFile], process: { pid: o.collectorPid }, telemetry_url: '' },
    probe: { interval: o.interval, timeout: o.timeout, mode: o.mode },
    log: { level: 'info' },
  };
  const file = join(o.dir, 'sentinel.yaml');
  writeFileSync(file, JSON.stringify(sentinel, null, 1));
  return file;
}

export async function startSentinel(o: SentinelRunOptions): Promise<SentinelProcess> {
  const port = await freePort();
  const file = writeConfigs(o, port);
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...IMAGE_NODE_FLAGS, ...(o.nodeArgs ?? []), SHIPPED_BIN, 'serve', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: o.dir,
  });
  // the log: only the `otel-sentinel ready` line is kept, for its start-up steps
  let startup: Record<string, number> | null = null;
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    if (startup) return;
    const lines = (partial + c.toString()).split('\n');
    partial = (lines.pop() ?? '').slice(-8192);
    for (const line of lines) {
      if (!line.includes('otel-sentinel ready')) continue;
      try {
        startup = (JSON.parse(line) as { startup?: Record<string, number> }).startup ?? null;
      } catch {
        // not the JSON log line
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    pid: child.pid!,
    url,
    spawnedAt,
    async waitReady(deadlineMs = 60_000) {
      let gone = false;
      void exited.then(() => (gone = true));
      return pollUntil(
        'otel-sentinel /readyz',
        async () => {
          if (gone) throw new Error(`otel-sentinel exited before it was ready: ${stderr.trim()}`);
          const r = await httpGet(`${url}/readyz`, 2000);
          return r.status === 200 ? performance.now() - spawnedAt : undefined;
        },
        10,
        deadlineMs,
      ).catch((err: Error) => {
        throw gone ? new Error(`otel-sentinel exited before it was ready: ${stderr.trim()}`) : err;
      });
    },
    startup: () => startup,
    async metrics() {
      const r = await httpGet(`${url}/metrics`);
      return parsePrometheusText(r.body, { prefix: 'otel_sentinel_' }).samples;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Sum of otel_sentinel_probes_total over every exporter and result. */
export const probesDone = (samples: readonly Sample[]): number =>
  samples.filter((s) => s.name === 'otel_sentinel_probes_total').reduce((a, s) => a + s.value, 0);
