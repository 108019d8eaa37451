/**
 * What the reliability tests share: the daemon in-process with its log records captured as data,
 * or the built CLI as a child process; config files in a temp dir; polling with generous deadlines.
 * Every start* registers its own teardown on the given test.
 */
import type { Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '../../src/runtime/log.js';
import { collectorYaml } from './collector-yaml.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon.js';
import type { Diagnosis, ExporterDiagnosis } from '../../src/diagnose/diagnosis.js';

export { collectorYaml };

export const BIN = resolve('dist/src/bin.js');

export interface LogRecord {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A temp dir holding the daemon's config and the collector's config. */
export interface ConfigDir {
  readonly dir: string;
  readonly sentinel: string;
  readonly collector: string;
  /** writes the collector config with these exporter blocks, all in the traces pipeline */
  writeCollector(exporters: Record<string, unknown>, extra?: Record<string, unknown>): void;
  /** writes otel-sentinel's config: sensible test defaults plus `lines` (YAML, top-level keys) */
  writeSentinel(lines?: string[], opts?: { interval?: string; timeout?: string; lifecycle?: boolean; level?: string }): void;
}

export function configDir(t: Test, prefix = 'sentinel-rel-'): ConfigDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sentinel = join(dir, 'sentinel.yaml');
  const collector = join(dir, 'collector.yaml');
  return {
    dir,
    sentinel,
    collector,
    writeCollector(exporters, extra = {}) {
      writeFileSync(collector, collectorYaml(exporters, extra));
    },
    writeSentinel(lines = [], o = {}) {
      writeFileSync(sentinel, sentinelYaml(collector, lines, o));
    },
  };
}

export function sentinelYaml(
  collectorFile: string,
  lines: string[] = [],
  o: { interval?: string; timeout?: string; lifecycle?: boolean; level?: string } = {},
): string {
  const probe = lines.some((l) => l.startsWith('probe:'));
  const collector = lines.some((l) => l.startsWith('collector:'));
  return [
    'listen: "127.0.0.1:0"',
    ...(collector
      ? []
      : ['collector:', `  config_files: [${JSON.stringify(collectorFile)}]`, '  telemetry_url: ""', '  use_process_environment: false']),
    ...(probe ? [] : ['probe:', `  interval: ${o.interval ?? '300ms'}`, `  timeout: ${o.timeout ?? '250ms'}`]),
    'log:',
    `  level: ${o.level ?? 'debug'}`,
    ...(o.lifecycle ? ['web:', '  enable_lifecycle: true'] : []),
    ...lines,
    '',
  ].join('\n');
}

/** The daemon in this process, its log records as parsed JSON, and its HTTP base URL. */
export interface InProcessDaemon {
  readonly daemon: RunningDaemon;
  readonly base: string;
  readonly logs: LogRecord[];
  /** every log line as written, to search for what must never appear */
  readonly rawLog: () => string;
  /** the diagnosis taken at the moment each "configuration reloaded" record was written */
  readonly atReload: Diagnosis[];
  metrics(): Promise<string>;
  diagnosis(): Promise<Diagnosis>;
  exporter(name: string): Promise<ExporterDiagnosis | undefined>;
  stop(): Promise<void>;
}

export async function startInProcess(
  t: Test,
  configFile: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<InProcessDaemon> {
  const logs: LogRecord[] = [];
  const raw: string[] = [];
  const atReload: Diagnosis[] = [];
  let daemon: RunningDaemon | null = null;
  const destination = {
    write(line: string): void {
      raw.push(line);
      const rec = JSON.parse(line) as LogRecord;
      logs.push(rec);
      // Written synchronously right after the new config was applied: what the monitor holds now
      // is what the reload kept, before any probe of the new config ran.
      if (rec.msg === 'configuration reloaded' && daemon) atReload.push(structuredClone(daemon.monitor.diagnosis()));
    },
  };
  const logger = createLogger('debug', destination);
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  daemon = await startDaemon({ configFile }, { stdout: sink, stderr: sink, env }, { logger });
  const d = daemon;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await d.stop();
  };
  t.teardown(stop);
  const base = `http://${d.address.host}:${d.address.port}`;
  return {
    daemon: d,
    base,
    logs,
    rawLog: () => raw.join(''),
    atReload,
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    diagnosis: async () => (await (await fetch(`${base}/api/v1/diagnosis`)).json()) as Diagnosis,
    exporter: async (name) => d.monitor.diagnosis().exporters.find((e) => e.name === name),
    stop,
  };
}

/** Polls `fn` until it returns something other than undefined; throws naming `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one series in Prometheus text, or undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Every series line of /metrics that carries `exporter="name"`. */
export const seriesOf = (text: string, exporter: string): string[] =>
  text.split('\n').filter((l) => !l.startsWith('#') && l.includes(`exporter="${exporter}"`));

/** Both results of otel_sentinel_probes_total for one exporter, summed. */
export const probesOf = (text: string, exporter: string): number =>
  (sample(text, 'otel_sentinel_probes_total', { exporter, result: 'success' }) ?? 0) +
  (sample(text, 'otel_sentinel_probes_total', { exporter, result: 'failure' }) ?? 0);

/** The built CLI as a child process; output collected; killed at teardown. */
export interface ChildDaemon {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** the base URL from the "otel-sentinel started" record */
  base(): Promise<string>;
  /** sends SIGTERM and resolves to the exit code */
  terminate(): Promise<number | null>;
}

export function startChild(t: Test, args: string[], env: Record<string, string> = {}): ChildDaemon {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    output: () => out,
    base: () =>
      waitFor('the daemon to log its address', () => {
        const m = /"address":"([^"]+)"/.exec(out);
        return m ? `http://${m[1]}` : undefined;
      }),
    async terminate() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

// Run as a test file of its own (tap runs every file under test/): the helpers above checked.
