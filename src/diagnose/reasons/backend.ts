import type { ReasonSpec } from '../reason-spec.js';
import { answer, exporter, key, request, retryAfter, s, target, via } from './probe-wording.js';

/** Reasons of the `backend` cause (docs/reasons.md): the server is reached but does not take data. */
export const backendReasons = {
  unavailable: {
    cause: 'backend',
    severity: 'critical',
    summary: 'The backend is reachable but unavailable (HTTP 502/503/504, gRPC UNAVAILABLE).',
    message: (f) => `${exporter(f)}: ${request(f)} answered ${answer(f)}${retryAfter(f)}: the backend is up to the network but not taking data`,
    fix: (f) =>
      `Check the backend behind ${s(f.endpoint)} (its pods, its own storage or ingesters, the load balancer's upstreams); the collector retries while its sending queue (${key(f, 'sending_queue')}) has room`,
  },
  throttled: {
    cause: 'backend',
    severity: 'critical',
    summary: 'The backend is rate limiting the exporter (HTTP 429, gRPC RESOURCE_EXHAUSTED).',
    message: (f) => `${exporter(f)}: ${request(f)} was throttled: ${answer(f)}${retryAfter(f)}`,
    fix: (f) =>
      `Raise the backend's ingestion limits for this tenant, or send less: a batch processor, sampling, or fewer attributes; meanwhile ${key(f, 'sending_queue')} and retry_on_failure absorb short bursts`,
  },
  server_error: {
    cause: 'backend',
    severity: 'critical',
    summary: 'The backend failed while handling the export (other 5xx, gRPC INTERNAL/UNKNOWN).',
    message: (f) => `${exporter(f)}: ${request(f)} failed on the server: ${answer(f)}`,
    fix: (f) => `Look at the logs of the backend behind ${s(f.endpoint)} for the failing export; the error is on the server side`,
  },
  response_timeout: {
    cause: 'backend',
    severity: 'critical',
    summary: 'The connection was made but no answer came in time.',
    message: (f) =>
      `${exporter(f)}: connected to ${target(f)}${via(f)} but got no answer ${f.phase ? `to ${s(f.phase)} ` : ''}within ${s(f.timeout_ms)} ms`,
    fix: (f) =>
      `Check that the backend behind ${s(f.endpoint)} is not overloaded or stuck and that the port speaks OTLP; if it is just slow, raise ${key(f, 'timeout')}`,
  },
  probe_timeout: {
    cause: 'backend',
    severity: 'warning',
    summary: "The probe's own deadline (probe.timeout) ended the wait before the exporter's timeout would have.",
    message: (f) =>
      `${exporter(f)}: connected to ${target(f)}${via(f)}, but the probe gave up waiting for ${s(f.phase, 'the answer')} after ${s(f.timeout_ms)} ms (probe.timeout is ${s(f.probe_timeout_ms)} ms; the exporter waits up to ${f.exporter_timeout_ms === 0 ? 'no limit' : `${s(f.exporter_timeout_ms)} ms`}): whether the collector's exports succeed is not known`,
    fix: (f) =>
      `Raise otel-sentinel's probe.timeout to at least ${key(f, 'timeout')} (${f.exporter_timeout_ms === 0 ? 'no limit' : `${s(f.exporter_timeout_ms)} ms`}) so the probe waits as long as the exporter does; if the backend should answer faster, check its load`,
  },
  slow_response: {
    cause: 'backend',
    severity: 'warning',
    summary: 'The export succeeded, but slower than thresholds.slow_response.',
    message: (f) =>
      `${exporter(f)}: the export succeeded but took ${s(f.elapsed_ms)} ms (thresholds.slow_response is ${s(f.threshold_ms)} ms)`,
    fix: (f) =>
      `Check the load on the backend behind ${s(f.endpoint)} and the network path; slow exports fill the collector's sending queue: consider a batch processor and a larger ${key(f, 'sending_queue.num_consumers')}`,
  },
} satisfies Record<string, ReasonSpec>;
