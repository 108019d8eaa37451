import type { CollectorFigures } from '../collector/collector-report.js';
import type { QueueSizer } from '../config/queue-sizer.js';
import type { Problem } from './problem.js';

/** The collector process as last inspected and judged (the `collector` block of the diagnosis). */
export interface CollectorReport extends CollectorFigures {
  problems: Problem[];
}

/** One exporter's sending queue, from the collector's internal metrics. */
export interface QueueReport {
  /** both in the unit of the exporter's `sending_queue.sizer` */
  size: number | null;
  capacity: number | null;
  /** the exporter's `sending_queue.sizer`: what size and capacity count */
  sizer: QueueSizer;
  /** that unit in words for this queue: requests, bytes, spans, metric points, log records, items */
  unit: string;
  /** null when not filling or unknown */
  seconds_to_full: number | null;
  problems: Problem[];
}

/** The collector block before any inspection (or with none asked for): nothing found, nothing wrong. */
export const NOT_INSPECTED: CollectorReport = Object.freeze({
  found: false,
  pid: null,
  open_fds: null,
  max_fds: null,
  rss_bytes: null,
  memory_limit_bytes: null,
  oom_kills: 0,
  restarts: 0,
  problems: [],
}) as CollectorReport;
