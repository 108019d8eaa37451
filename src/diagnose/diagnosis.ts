import type { CollectorReport } from '../collector/collector-report.js';
import type { Problem } from './problem.js';
import type { Phases, ProxyUsed, TlsFacts } from '../probe/probe-result.js';

/** One exporter in the diagnosis document (CONTRACT §6). */
export interface ExporterDiagnosis {
  name: string;
  type: string;
  protocol: 'grpc' | 'http';
  endpoint: string;
  up: boolean;
  problems: Problem[];
  phases: Phases;
  tls: TlsFacts | null;
  /** the proxy the last probe went through (URL without credentials, where it was named); null when direct */
  proxy: ProxyUsed | null;
  /** from the collector's internal metrics; null when not known */
  queue: { size: number | null; capacity: number | null; seconds_to_full: number | null } | null;
  last_success_at: string | null;
  checked_at: string | null;
}

/** The diagnosis document: what `/api/v1/diagnosis` serves and `check --json` prints. */
export interface Diagnosis {
  checked_at: string;
  healthy: boolean;
  collector: CollectorReport;
  exporters: ExporterDiagnosis[];
}
