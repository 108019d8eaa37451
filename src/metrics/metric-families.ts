/**
 * Every metric otel-sentinel exports (docs/metrics.md), in one literal table. Names, types and labels
 * here are public: dashboards and alert rules depend on them. Add, never rename or drop.
 */

export interface FamilySpec {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
  /** upper bounds of a histogram's buckets */
  readonly buckets?: readonly number[];
}

export const FAMILIES = {
  exporterUp: {
    name: 'otel_sentinel_exporter_up',
    type: 'gauge',
    help: '1 when the last probe of the exporter succeeded end to end.',
    labelNames: ['exporter'],
  },
  exporterState: {
    name: 'otel_sentinel_exporter_state',
    type: 'gauge',
    help: "Always 1, labelled with the exporter's state in the diagnosis (down, warn, pending, up).",
    labelNames: ['exporter', 'state'],
  },
  exporterCause: {
    name: 'otel_sentinel_exporter_cause',
    type: 'gauge',
    help: '1 when a problem of that cause is active for the exporter; one series per exporter cause, always present.',
    labelNames: ['exporter', 'cause'],
  },
  exporterProblem: {
    name: 'otel_sentinel_exporter_problem',
    type: 'gauge',
    help: '1 for each active problem of the exporter; absent when none.',
    labelNames: ['exporter', 'cause', 'reason', 'severity'],
  },
  exporterInfo: {
    name: 'otel_sentinel_exporter_info',
    type: 'gauge',
    help: 'Always 1: the exporter, its type, protocol (grpc or http) and endpoint.',
    labelNames: ['exporter', 'type', 'protocol', 'endpoint'],
  },
  probeDuration: {
    name: 'otel_sentinel_probe_duration_seconds',
    type: 'gauge',
    help: 'Phase durations of the last probe (dns, connect, tls, request, total); absent for a phase that did not run.',
    labelNames: ['exporter', 'phase'],
  },
  probesTotal: {
    name: 'otel_sentinel_probes_total',
    type: 'counter',
    help: 'Probes run, by result (success, failure).',
    labelNames: ['exporter', 'result'],
  },
  tlsNotAfter: {
    name: 'otel_sentinel_tls_cert_not_after_timestamp_seconds',
    type: 'gauge',
    help: 'Earliest expiry (Unix seconds) in the certificate chain the exporter endpoint served.',
    labelNames: ['exporter'],
  },
  queueFillRatio: {
    name: 'otel_sentinel_exporter_queue_fill_ratio',
    type: 'gauge',
    help: "Sending queue size / capacity, from the collector's internal metrics (both counted in the exporter's sending_queue.sizer unit: requests, items or bytes).",
    labelNames: ['exporter'],
  },
  queueSecondsToFull: {
    name: 'otel_sentinel_exporter_queue_seconds_to_full',
    type: 'gauge',
    help: 'Seconds until the sending queue is full at the current fill rate; +Inf when not filling.',
    labelNames: ['exporter'],
  },
  dataLost: {
    name: 'otel_sentinel_exporter_data_lost_per_second',
    type: 'gauge',
    help: "Items (spans, metric points, log records) the collector dropped per second for this exporter between its last two scrapes: enqueue failures plus failed sends (counted once retries are over).",
    labelNames: ['exporter'],
  },
  collectorUp: {
    name: 'otel_sentinel_collector_up',
    type: 'gauge',
    help: '1 when the collector process is found.',
    labelNames: [],
  },
  collectorState: {
    name: 'otel_sentinel_collector_state',
    type: 'gauge',
    help: "Always 1, labelled with the collector's state in the diagnosis (down, warn, pending, up).",
    labelNames: ['state'],
  },
  collectorCause: {
    name: 'otel_sentinel_collector_cause',
    type: 'gauge',
    help: '1 when a problem of that cause is active for the collector process.',
    labelNames: ['cause'],
  },
  collectorProblem: {
    name: 'otel_sentinel_collector_problem',
    type: 'gauge',
    help: '1 for each active problem of the collector process; absent when none.',
    labelNames: ['cause', 'reason', 'severity'],
  },
  collectorOpenFds: {
    name: 'otel_sentinel_collector_open_fds',
    type: 'gauge',
    help: 'Open file descriptors of the collector process.',
    labelNames: [],
  },
  collectorMaxFds: {
    name: 'otel_sentinel_collector_max_fds',
    type: 'gauge',
    help: 'Soft RLIMIT_NOFILE of the collector process.',
    labelNames: [],
  },
  collectorResidentMemory: {
    name: 'otel_sentinel_collector_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident set size of the collector process.',
    labelNames: [],
  },
  collectorMemoryLimit: {
    name: 'otel_sentinel_collector_memory_limit_bytes',
    type: 'gauge',
    help: "The collector's effective memory limit (cgroup, memory_limiter or host).",
    labelNames: [],
  },
  collectorOomKills: {
    name: 'otel_sentinel_collector_oom_kills_total',
    type: 'counter',
    help: 'OOM kills of the collector seen since otel-sentinel started.',
    labelNames: [],
  },
  collectorRestarts: {
    name: 'otel_sentinel_collector_restarts_total',
    type: 'counter',
    help: 'Restarts of the collector seen since otel-sentinel started.',
    labelNames: [],
  },
  configLastReloadSuccessful: {
    name: 'otel_sentinel_config_last_reload_successful',
    type: 'gauge',
    help: 'Whether the last configuration reload succeeded (1) or failed (0).',
    labelNames: [],
  },
  buildInfo: {
    name: 'otel_sentinel_build_info',
    type: 'gauge',
    help: 'Always 1, labelled with the otel-sentinel version.',
    labelNames: ['version'],
  },
  probeScheduleLag: {
    name: 'otel_sentinel_probe_schedule_lag_seconds',
    type: 'histogram',
    help: 'How late each exporter probe started against its schedule (timer delay plus waiting for a free probe slot).',
    labelNames: [],
    // Fine below 100 ms, where a healthy daemon lives; coarse above, where only "how bad" matters.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
} as const satisfies Record<string, FamilySpec>;
