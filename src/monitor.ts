import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { FILE_LIMITS, readBoundedFileSync } from './config/read-bounded-file.js';
import type { CollectorModel } from './config/collector-model.js';
import type { ExporterSpec } from './config/exporter-spec.js';
import type { SentinelConfig } from './config/sentinel-config.js';
import { NOT_INSPECTED, type CollectorReport, type QueueReport } from './diagnose/collector-report.js';
import type { TrafficReport } from './collector/traffic.js';
import type { CollectorDiagnosis, Diagnosis, ExporterDiagnosis } from './diagnose/diagnosis.js';
import { assembleDiagnosis, collectorDiagnosis, exporterDiagnosis } from './diagnose/diagnosis.js';
import type { Problem } from './diagnose/problem.js';
import { redact } from './diagnose/redact.js';
import { endpointKeyOf } from './config/endpoint.js';
import { exportsOtlp } from './config/exporter-kinds.js';
import { collectorLogRecords, exporterLogRecord } from './runtime/log.js';
import { judgeCollector, judgedProber, judgeProbe, judgeTelemetry, type JudgedProber, type MakeProber } from './diagnose/judge.js';
import type { LookupAll } from './probe/prober.js';
import type { ProbeResult } from './diagnose/classify-probe.js';
import { runRound, type Task } from './schedule/scheduler.js';
import type { CollectorWatcher } from './collector/collector-watcher.js';
import type { TelemetryScraper } from './collector/telemetry-scraper.js';

/** The collector process, as the monitor needs it: its readings (diagnose/ judges them). */
export type CollectorSource = Pick<CollectorWatcher, 'read'>;

/** The collector's internal metrics, as the monitor needs them: its readings (diagnose/ judges them). */
export type TelemetrySource = Pick<TelemetryScraper, 'read'>;

export interface MonitorDeps {
  readonly logger: Logger;
  readonly createProber: MakeProber;
  readonly collector: CollectorSource;
  readonly telemetry: TelemetrySource;
  readonly lookup?: LookupAll;
  readonly now?: () => number;
  /** called after every probe (for counters), with the exporter's previous result (null at first) */
  readonly onProbe?: (exporter: string, result: ProbeResult, previous: ProbeResult | null) => void;
  /** called whenever the diagnosis changed */
  readonly onChange?: () => void;
  /** called after every inspection of the collector process */
  readonly onCollector?: (report: CollectorReport) => void;
}

interface ExporterState {
  spec: ExporterSpec;
  /** the endpoint as shown (shownEndpoint), fixed with the spec */
  shown: string;
  key: string;
  /** the exporter's prober and the judge of what it observes */
  prober: JudgedProber;
  /** tlsDigest() of the files the prober was made from */
  tlsFiles: string;
  result: ProbeResult | null;
  lastSuccessAt: number | null;
  queue: QueueReport | null;
  /** the collector's real traffic through it, from the same scrape as `queue` */
  traffic?: TrafficReport | null;
  /** what was last logged, so a state is logged once when it changes, not every round */
  logged: string;
  /**
   * this exporter's entry of the diagnosis, kept until its result or queue changes: a diagnosis
   * rebuilt after one probe reuses the other exporters' entries, and the metrics skip those
   */
  diag: ExporterDiagnosis | null;
}

export const COLLECTOR_TASK = 'collector';
const taskKey = (exporter: string): string => `exporter:${exporter}`;

/** A spec's identity for reloads: same identity keeps the prober, its state and history. */
const identity = (spec: ExporterSpec): string => JSON.stringify(spec);

/**
 * What the exporter's TLS files hold now ('' without any): the prober's TLS context was made from
 * them, so a certificate or CA rotated in place needs a new prober, though the spec is the same.
 * `read` reads each file once per apply (many exporters share one CA file).
 */
function tlsDigest(spec: ExporterSpec, read: (file: string) => string): string {
  const files = [spec.tls.caFile, spec.tls.certFile, spec.tls.keyFile];
  return files.some(Boolean) ? files.map((f) => (f ? read(f) : '')).join(',') : '';
}

function fileDigest(file: string): string {
  try {
    return createHash('sha256').update(readBoundedFileSync(file, FILE_LIMITS.tls)).digest('hex');
  } catch (err) {
    // unreadable or too large: the new prober reports it (tls_config_invalid)
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? (err as Error).name}`;
  }
}

/**
 * The endpoint as every view shows it (diagnosis, metrics label, status page, logs): credentials
 * written into the URL (`https://user:password@host`) are secrets of the spec and hidden here.
 */
const shownEndpoint = (spec: ExporterSpec): string => redact(endpointKeyOf(spec).shown, spec.secrets);

const signature = (problems: readonly Problem[]): string =>
  problems.map((p) => `${p.cause}/${p.reason}/${p.severity}`).sort().join(',');

/**
 * The state of everything watched, and the one code path that probes it: the daemon runs
 * `tasks()` on its scheduler, `check` runs `runOnce()`. Lifecycle: create, `apply()` a config (again
 * on every reload), read `diagnosis()` at will, `close()` once.
 */
export interface Monitor {
  /** swaps in a config; unchanged exporters keep their prober, state and history */
  apply(
    config: SentinelConfig,
    model: CollectorModel,
    env?: Readonly<Record<string, string | undefined>>,
  ): { added: string[]; removed: string[]; kept: string[] };
  tasks(): ReadonlyMap<string, Task>;
  runOnce(signal?: AbortSignal): Promise<void>;
  /** every exporter probed and the collector inspected at least once since the last apply */
  complete(): boolean;
  diagnosis(): Diagnosis;
  /**
   * What changed since the last call: the entries of the exporters probed since then, or null when
   * more changed than single exporters (a config applied, the collector inspected, the first
   * call), and the whole `diagnosis()` is to be read. For a consumer that follows the diagnosis
   * (the metrics) at a cost per change rather than per exporter; there is one such consumer.
   */
  takeChanges(): ExporterDiagnosis[] | null;
  close(): void;
}

export function createMonitor(deps: MonitorDeps): Monitor {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  let config: SentinelConfig | null = null;
  let model: CollectorModel | null = null;
  const exporters = new Map<string, ExporterState>();
  let collector: CollectorDiagnosis = collectorDiagnosis(NOT_INSPECTED, false);
  let collectorInspected = false;
  let collectorLogged = '';
  let cached: Diagnosis | null = null;
  /** exporters probed since the last takeChanges(); null: everything may have changed */
  let probedSince: Set<string> | null = null;
  let tasks = new Map<string, Task>();

  const changed = (exporter?: string): void => {
    cached = null;
    if (exporter === undefined) probedSince = null;
    else probedSince?.add(exporter);
    deps.onChange?.();
  };

  /** Logs an exporter's entry when its state or problems changed. */
  const logExporter = (st: ExporterState): void => {
    const entry = (st.diag ??= toDiagnosis(st));
    const sig = `${entry.state}|${signature(entry.problems)}`;
    if (sig === st.logged) return;
    const first = st.logged === '';
    st.logged = sig;
    const r = exporterLogRecord(entry, first);
    log[r.level](r.fields, r.msg);
  };

  const probeTask = (st: ExporterState): Task => ({
    run: async (signal) => {
      if (!config) return;
      const result = await judgeProbe(st.prober, {
        signal,
        timeoutMs: config.probe.timeoutMs,
        mode: config.probe.mode,
        certExpiryMs: config.thresholds.certExpiryMs,
        slowResponseMs: config.thresholds.slowResponseMs,
        env: currentEnv,
        lookup: deps.lookup,
        now,
      });
      if (exporters.get(st.spec.name) !== st) return; // removed or replaced meanwhile
      const previous = st.result;
      st.result = result;
      st.diag = null;
      if (result.up) st.lastSuccessAt = result.startedAt;
      deps.onProbe?.(st.spec.name, result, previous);
      logExporter(st);
      changed(st.spec.name);
    },
  });

  const collectorTask: Task = {
    run: async (signal) => {
      if (!config) return;
      const cfg = config;
      const report = await judgeCollector(deps.collector, cfg, model, signal);
      let queues: ReadonlyMap<string, QueueReport> = new Map();
      let traffic: ReadonlyMap<string, TrafficReport> = new Map();
      let telemetryProblems: readonly Problem[] = [];
      const url = model?.telemetryUrl ?? '';
      if (url !== '') {
        const probeUp = new Map<string, boolean>();
        for (const [name, st] of exporters) if (st.result) probeUp.set(name, st.result.up);
        const scraped = await judgeTelemetry(
          deps.telemetry,
          { url, exporters: [...exporters.keys()], probeUp, queueRatio: cfg.thresholds.queueRatio, sizers: model?.queueSizers },
          signal,
        );
        queues = scraped.queues;
        traffic = scraped.traffic ?? traffic;
        telemetryProblems = scraped.problems;
      }
      collectorInspected = true;
      collector = collectorDiagnosis({ ...report, problems: [...report.problems, ...telemetryProblems] }, true);
      deps.onCollector?.(collector);
      for (const [name, st] of exporters) {
        const queue = queues.get(name) ?? null;
        if (queue !== st.queue) st.diag = null;
        st.queue = queue;
        st.traffic = traffic.get(name) ?? null;
      }
      const sig = signature(collector.problems);
      if (sig !== collectorLogged) {
        collectorLogged = sig;
        for (const r of collectorLogRecords(collector)) log[r.level](r.fields, r.msg);
      }
      for (const st of exporters.values()) if (st.result) logExporter(st);
      changed();
    },
  };

  let currentEnv: Readonly<Record<string, string | undefined>> = process.env;

  const rebuildTasks = (): void => {
    const next = new Map<string, Task>();
    next.set(COLLECTOR_TASK, collectorTask);
    for (const st of exporters.values()) next.set(st.key, probeTask(st));
    tasks = next;
  };

  const toDiagnosis = (st: ExporterState): ExporterDiagnosis =>
    exporterDiagnosis({
      name: st.spec.name,
      type: st.spec.type,
      protocol: st.spec.protocol,
      endpoint: st.shown,
      signal: exportsOtlp(st.spec.protocol) ? (st.spec.handshakeOnly ? null : (st.spec.signal ?? 'traces')) : null,
      signals: st.spec.signals ? [...st.spec.signals] : null,
      note: st.spec.note ?? null,
      valueSources: (st.spec.valueSources ?? []).map((v) => ({ ...v })),
      result: st.result,
      configProblems: st.spec.configProblems,
      queue: st.queue,
      traffic: st.traffic ?? null,
      lastSuccessAt: st.lastSuccessAt,
    });

  return {
    apply(nextConfig, nextModel, env) {
      config = nextConfig;
      model = nextModel;
      if (env) currentEnv = env;
      const added: string[] = [];
      const kept: string[] = [];
      const removed: string[] = [];
      const wanted = new Map(nextModel.exporters.map((s) => [s.name, s]));
      const digests = new Map<string, string>();
      const read = (file: string): string => {
        let d = digests.get(file);
        if (d === undefined) digests.set(file, (d = fileDigest(file)));
        return d;
      };
      for (const [name, st] of exporters) {
        const spec = wanted.get(name);
        if (!spec || identity(spec) !== identity(st.spec)) {
          st.prober.prober.close();
          exporters.delete(name);
          if (!spec) removed.push(name);
          continue;
        }
        const tlsFiles = tlsDigest(spec, read);
        if (tlsFiles !== st.tlsFiles) {
          // same settings, rotated files: a prober with the new TLS context; state and history stay
          st.prober.prober.close();
          st.prober = judgedProber(spec, deps.createProber);
          st.tlsFiles = tlsFiles;
        }
      }
      for (const spec of nextModel.exporters) {
        if (exporters.has(spec.name)) {
          kept.push(spec.name);
          continue;
        }
        exporters.set(spec.name, {
          spec,
          shown: shownEndpoint(spec),
          key: taskKey(spec.name),
          prober: judgedProber(spec, deps.createProber),
          tlsFiles: tlsDigest(spec, read),
          result: null,
          lastSuccessAt: null,
          queue: null,
          logged: '',
          diag: null,
        });
        added.push(spec.name);
      }
      rebuildTasks();
      changed();
      return { added, removed, kept };
    },
    tasks: () => tasks,
    async runOnce(signal) {
      const probes = [...tasks.entries()].filter(([k]) => k !== COLLECTOR_TASK).map(([, t]) => t);
      // probes first, so the collector round can compare sends with probe results
      await runRound([probes, [collectorTask]], { timeoutMs: config?.probe.timeoutMs ?? 5000, ...(signal ? { signal } : {}) });
    },
    complete() {
      if (!collectorInspected) return false;
      for (const st of exporters.values()) if (!st.result) return false;
      return true;
    },
    diagnosis() {
      if (cached) return cached;
      const list = [...exporters.values()].map((st) => (st.diag ??= toDiagnosis(st)));
      cached = assembleDiagnosis(new Date(now()).toISOString(), collector, list);
      return cached;
    },
    takeChanges() {
      const names = probedSince;
      probedSince = new Set();
      if (!names) return null;
      const out: ExporterDiagnosis[] = [];
      for (const name of names) {
        const st = exporters.get(name);
        if (st) out.push((st.diag ??= toDiagnosis(st)));
      }
      return out;
    },
    close() {
      for (const st of exporters.values()) st.prober.prober.close();
      exporters.clear();
      cached = null;
    },
  };
}
