import type { CollectorReport } from '../collector/collector-report.js';
import type { QueueSizer } from '../config/queue-sizer.js';
import type { Problem } from './problem.js';
import type { Phases, TlsFacts } from '../probe/probe-result.js';

/** One exporter in the diagnosis document (CONTRACT §6). */
export interface ExporterDiagnosis {
  name: string;
  type: string;
  /** grpc, http: OTLP, probed with an empty export; tcp: DNS, TCP and TLS only; none: not probed */
  protocol: 'grpc' | 'http' | 'tcp' | 'none';
  endpoint: string;
  /** the signal the probe exported (grpc, http); null when no export is sent */
  signal: 'traces' | 'metrics' | 'logs' | null;
  /** the signals the exporter's pipelines carry; null when not known (an extra target) */
  signals: ('traces' | 'metrics' | 'logs')[] | null;
  /** what the probe leaves out and why ("not probed: file (...)"); null when it exports end to end */
  note: string | null;
  /** where the exporter's `${...}` values came from: the collector's environment, ours, a file */
  value_sources: { key: string; reference: string; from: string }[];
  up: boolean;
  problems: Problem[];
  phases: Phases;
  tls: TlsFacts | null;
  /**
   * from the collector's internal metrics; null when not known. size and capacity count in the
   * exporter's `sending_queue.sizer` (requests, items or bytes); unit says it in words for this queue
   */
  queue: { size: number | null; capacity: number | null; sizer?: QueueSizer; unit?: string; seconds_to_full: number | null } | null;
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
