import type { CollectorReport, QueueReport } from './collector-report.js';
import type { TrafficReport } from '../collector/traffic.js';
import type { ExporterProtocol } from '../config/exporter-spec.js';
import type { QueueSizer } from '../config/queue-sizer.js';
import type { Problem } from './problem.js';
import type { Phases, ProxyUsed, TlsFacts } from '../probe/probe-result.js';
import type { ProbeResult } from './classify-probe.js';
import type { State } from './state.js';
import { collectorState, exporterState, worse } from './state.js';

/** The phases of the last probe as the diagnosis shows them, with the whole probe's duration. */
export interface DiagnosisPhases extends Phases {
  /** the whole probe, from its start to its verdict; null before the first probe */
  total_seconds: number | null;
}

/**
 * The phases of a probe in the order they run, then the whole probe: each one's name (the `phase`
 * label of otel_sentinel_probe_duration_seconds, the word in the `check` report), its word on the
 * status page and its field in `phases`. The metrics and every view loop over this list (the
 * status page's renderer, which runs in the browser too, is handed it).
 */
export const PHASES = [
  { name: 'dns', label: 'DNS', key: 'dns_seconds' },
  { name: 'connect', label: 'connect', key: 'connect_seconds' },
  { name: 'tls', label: 'TLS', key: 'tls_seconds' },
  { name: 'request', label: 'request', key: 'request_seconds' },
  { name: 'total', label: 'total', key: 'total_seconds' },
] as const satisfies readonly PhaseEntry[];

/** One entry of PHASES. */
export interface PhaseEntry {
  readonly name: string;
  readonly label: string;
  readonly key: keyof DiagnosisPhases;
}

/** One exporter in the diagnosis document (docs/http.md, "The diagnosis document"). */
export interface ExporterDiagnosis {
  name: string;
  type: string;
  /** grpc, http: OTLP, probed with an empty export; tcp: DNS, TCP and TLS only; none: not probed */
  protocol: ExporterProtocol;
  endpoint: string;
  /** the signal the probe exported (grpc, http); null when no export is sent */
  signal: 'traces' | 'metrics' | 'logs' | null;
  /** the signals the exporter's pipelines carry; null when not known (an extra target) */
  signals: ('traces' | 'metrics' | 'logs')[] | null;
  /** what the probe leaves out and why ("not probed: file (...)"); null when it exports end to end */
  note: string | null;
  /** where the exporter's `${...}` values came from: the collector's environment, ours, a file */
  value_sources: { key: string; reference: string; from: string }[];
  /** the verdict every view shows (src/diagnose/state.ts) */
  state: State;
  up: boolean;
  problems: Problem[];
  phases: DiagnosisPhases;
  tls: TlsFacts | null;
  /** the proxy the last probe went through (URL without credentials, where it was named); null when direct */
  proxy: ProxyUsed | null;
  /**
   * from the collector's internal metrics; null when not known. size and capacity count in the
   * exporter's `sending_queue.sizer` (requests, items or bytes); unit says it in words for this queue
   */
  queue: { size: number | null; capacity: number | null; sizer?: QueueSizer; unit?: string; seconds_to_full: number | null } | null;
  /**
   * the collector's real traffic through this exporter between its last two scrapes (sent/s,
   * failed/s by error type, lost/s, in flight), beside the probe's verdict; null when not known
   */
  traffic: TrafficReport | null;
  last_success_at: string | null;
  checked_at: string | null;
}

/** The collector block of the diagnosis: the process as last inspected, and its verdict. */
export interface CollectorDiagnosis extends CollectorReport {
  state: State;
}

/** The diagnosis document: what `/api/v1/diagnosis` serves and `check --json` prints. */
export interface Diagnosis {
  checked_at: string;
  /** the worst state of the collector and every exporter */
  state: State;
  healthy: boolean;
  collector: CollectorDiagnosis;
  exporters: ExporterDiagnosis[];
}

/**
 * Puts the document together from the collector's block and the exporters' entries: the overall
 * state, and `healthy` (nothing of any severity is active, every exporter works end to end).
 */
export function assembleDiagnosis(checkedAt: string, collector: CollectorDiagnosis, exporters: ExporterDiagnosis[]): Diagnosis {
  let state = collector.state;
  let healthy = collector.problems.length === 0;
  for (const e of exporters) {
    state = worse(state, e.state);
    if (e.state !== 'up') healthy = false;
  }
  return { checked_at: checkedAt, state, healthy, collector, exporters };
}

/** What is known of one exporter: its spec's identity, its last probe, its queue. */
export interface ExporterReadings {
  readonly name: string;
  readonly type: string;
  readonly protocol: ExporterDiagnosis['protocol'];
  /** the endpoint as every view shows it (credentials already hidden) */
  readonly endpoint: string;
  /** the signal the probe exports, the signals the pipelines carry, what the probe leaves out */
  readonly signal: ExporterDiagnosis['signal'];
  readonly signals: ExporterDiagnosis['signals'];
  readonly note: string | null;
  readonly valueSources: ExporterDiagnosis['value_sources'];
  /** the last probe; null before the first */
  readonly result: ProbeResult | null;
  /** mistakes seen in the configuration, shown until the first probe reports its own */
  readonly configProblems: readonly Problem[];
  readonly queue: QueueReport | null;
  /** the collector's real traffic through the exporter; absent or null when not known */
  readonly traffic?: TrafficReport | null;
  /** epoch ms of the start of the last successful probe */
  readonly lastSuccessAt: number | null;
}

const NO_PHASES: DiagnosisPhases = Object.freeze(Object.fromEntries(PHASES.map((p) => [p.key, null])) as Record<keyof DiagnosisPhases, null>);

/** An exporter's active problems: the probe's (or, before it, the config's) and its queue's. */
export const exporterProblems = (r: ExporterReadings): Problem[] => [
  ...(r.result?.problems ?? r.configProblems),
  ...(r.queue?.problems ?? []),
];

/** An exporter's entry of the diagnosis, its state decided here. */
export function exporterDiagnosis(r: ExporterReadings): ExporterDiagnosis {
  const res = r.result;
  const problems = exporterProblems(r);
  const up = res?.up ?? false;
  return {
    name: r.name,
    type: r.type,
    protocol: r.protocol,
    endpoint: r.endpoint,
    signal: r.signal,
    signals: r.signals,
    note: r.note,
    value_sources: r.valueSources,
    state: exporterState(res !== null, up, problems),
    up,
    problems,
    phases: res ? { ...res.phases, total_seconds: res.totalSeconds } : { ...NO_PHASES },
    tls: res?.tls ?? null,
    proxy: res?.proxy ?? null,
    queue: r.queue ? { size: r.queue.size, capacity: r.queue.capacity, sizer: r.queue.sizer, unit: r.queue.unit, seconds_to_full: r.queue.seconds_to_full } : null,
    traffic: r.traffic ? { ...r.traffic, error_types: r.traffic.error_types.map((e) => ({ ...e })) } : null,
    last_success_at: r.lastSuccessAt === null ? null : new Date(r.lastSuccessAt).toISOString(),
    checked_at: res ? new Date(res.startedAt).toISOString() : null,
  };
}

/** The collector's block of the diagnosis; `inspected` is false until its first inspection. */
export function collectorDiagnosis(report: CollectorReport, inspected: boolean): CollectorDiagnosis {
  return { ...report, state: collectorState(inspected, report.found, report.problems) };
}
