// Diagnoses for the view tests: a healthy, a failing, a queue-filling and a never-probed exporter,
// and a collector with a warning. Each entry's state is the one src/diagnose/state.ts gives its
// figures, unless a test sets another on purpose.
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import type { CollectorDiagnosis, Diagnosis, ExporterDiagnosis } from '../../src/diagnose/diagnosis.js';
import { collectorState, exporterState, worse } from '../../src/diagnose/state.js';

export const HOSTILE_MESSAGE = `x509: certificate signed by unknown authority <script>alert("pwn")</script> & 'quoted' <img src=x onerror=alert(1)>`;

type ExporterFields = Omit<ExporterDiagnosis, 'state' | 'phases' | 'signal' | 'signals' | 'note' | 'value_sources' | 'traffic'> &
  Partial<Pick<ExporterDiagnosis, 'signal' | 'signals' | 'note' | 'value_sources' | 'traffic'>> & {
  phases: Omit<ExporterDiagnosis['phases'], 'total_seconds'> & { total_seconds?: number | null };
};
type ExporterOver = Partial<Omit<ExporterDiagnosis, 'phases'>> & { phases?: ExporterFields['phases'] };

/** The entry with its state worked out as the diagnosis does, unless `over` sets one. */
function entry(base: ExporterFields, over: ExporterOver): ExporterDiagnosis {
  const e = { ...base, ...over };
  return {
    signal: e.protocol === 'grpc' || e.protocol === 'http' ? 'traces' : null,
    signals: ['traces'],
    note: null,
    value_sources: [],
    traffic: null,
    ...e,
    phases: { ...e.phases, total_seconds: e.phases.total_seconds ?? null },
    state: over.state ?? exporterState(e.checked_at !== null, e.up, e.problems),
  };
}

export function healthyExporter(over: ExporterOver = {}): ExporterDiagnosis {
  return entry({
    name: 'otlphttp/honeycomb',
    type: 'otlphttp',
    protocol: 'http',
    endpoint: 'https://api.honeycomb.io',
    up: true,
    problems: [],
    phases: { dns_seconds: 0.0012, connect_seconds: 0.021, tls_seconds: 0.034, request_seconds: 0.12, total_seconds: 0.2 },
    tls: { version: 'TLSv1.3', alpn: 'http/1.1', not_after: '2027-03-01T00:00:00.000Z' },
    proxy: { url: 'http://proxy.internal:3128', source: 'HTTPS_PROXY', mode: 'tunnel' },
    queue: { size: 3, capacity: 1000, sizer: 'requests', unit: 'requests', seconds_to_full: null },
    last_success_at: '2026-11-23T19:59:58.000Z',
    checked_at: '2026-11-23T19:59:58.000Z',
  }, over);
}

export function failingExporter(over: ExporterOver = {}): ExporterDiagnosis {
  return entry({
    name: 'otlp/tempo',
    type: 'otlp',
    protocol: 'grpc',
    endpoint: 'tempo.observability.svc:4317',
    up: false,
    problems: [
      {
        cause: 'tls',
        reason: 'tls_unknown_authority',
        severity: 'critical',
        message: HOSTILE_MESSAGE,
        fix: 'Set tls.ca_file of exporter "otlp/tempo" to the CA that signed the server certificate.',
      },
    ],
    phases: { dns_seconds: 0.001, connect_seconds: 0.002, tls_seconds: 0.01, request_seconds: null, total_seconds: 0.02 },
    tls: { version: 'TLSv1.3', alpn: 'h2', not_after: '2027-01-01T00:00:00.000Z' },
    proxy: null,
    queue: null,
    last_success_at: null,
    checked_at: '2026-11-23T19:59:59.000Z',
  }, over);
}

export function fillingExporter(over: ExporterOver = {}): ExporterDiagnosis {
  return entry({
    name: 'otlp/jaeger',
    type: 'otlp_grpc',
    protocol: 'grpc',
    endpoint: 'jaeger:4317',
    up: true,
    problems: [
      {
        cause: 'queue',
        reason: 'queue_near_capacity',
        severity: 'warning',
        message: 'sending queue at 812 of 1000 (81 %), full in about 42 s at the current rate',
        fix: 'Raise sending_queue.queue_size of exporter "otlp/jaeger" or find why the backend is slow.',
      },
    ],
    phases: { dns_seconds: null, connect_seconds: 0.0004, tls_seconds: null, request_seconds: 0.003, total_seconds: 0.004 },
    tls: null,
    proxy: null,
    queue: { size: 812, capacity: 1000, sizer: 'items', unit: 'spans', seconds_to_full: 42 },
    traffic: {
      sent_per_second: 120.4, failed_per_second: 30, enqueue_failed_per_second: 0, lost_per_second: 30,
      error_types: [{ error_type: 'ResourceExhausted', permanent: false, per_second: 30 }], in_flight: 4,
    },
    last_success_at: '2026-11-23T19:59:57.000Z',
    checked_at: '2026-11-23T19:59:57.000Z',
  }, over);
}

export function pendingExporter(over: ExporterOver = {}): ExporterDiagnosis {
  return entry({
    name: 'otlp_http/new',
    type: 'otlp_http',
    protocol: 'http',
    endpoint: 'http://collector-gateway:4318',
    up: false,
    problems: [],
    phases: { dns_seconds: null, connect_seconds: null, tls_seconds: null, request_seconds: null },
    tls: null,
    proxy: null,
    queue: null,
    last_success_at: null,
    checked_at: null,
  }, over);
}

type CollectorOver = Partial<CollectorDiagnosis>;

/** The collector's block, its state worked out as the diagnosis does, unless `over` sets one. */
export function fixtureCollector(over: CollectorOver = {}): CollectorDiagnosis {
  const c: Omit<CollectorDiagnosis, 'state'> = {
    found: true,
    pid: 4242,
    open_fds: 850,
    max_fds: 1024,
    rss_bytes: 123_456_789,
    memory_limit_bytes: 536_870_912,
    oom_kills: 1,
    restarts: 2,
    problems: [
      {
        cause: 'resources',
        reason: 'fd_near_limit',
        severity: 'warning',
        message: 'the collector (pid 4242) has 850 of 1024 file descriptors open (83 %)',
        fix: 'Raise the collector\'s open-file limit (LimitNOFILE= in its systemd unit, or ulimit -n).',
      },
    ],
    ...over,
  };
  return { ...c, state: over.state ?? collectorState(true, c.found, c.problems) };
}

/**
 * The document; its overall state is the worst of its parts unless `over` sets one. A collector
 * given in `over` without a state gets the one its figures give.
 */
export function fixtureDiagnosis(over: Partial<Omit<Diagnosis, 'collector'>> & { collector?: CollectorOver } = {}): Diagnosis {
  const collector = over.collector ? fixtureCollector(over.collector) : fixtureCollector();
  const exporters = over.exporters ?? [healthyExporter(), failingExporter(), fillingExporter(), pendingExporter()];
  return {
    checked_at: over.checked_at ?? '2026-11-23T20:00:00.000Z',
    state: over.state ?? exporters.reduce((s, e) => worse(s, e.state), collector.state),
    healthy: over.healthy ?? false,
    collector,
    exporters,
  };
}

/** web settings as the config loader's defaults, with changes. */
export function webConfig(over: Partial<SentinelConfig['web']> = {}): SentinelConfig['web'] {
  return { ...loadSentinelConfig(null, {}).web, ...over };
}
