import type { Facts, ReasonSpec } from '../reason-spec.js';

/**
 * Reasons read from the collector's real traffic (its internal metrics) rather than from a probe:
 * failures only real batches meet, permanent rejections, a stalled pipeline, data refused at the
 * door. Their causes differ (auth, backend, resources); docs/reasons.md lists each under its cause.
 */

const str = (v: unknown, dflt = '?'): string => (v === undefined || v === null ? dflt : String(v));
/** "12.5/s" for a number, the placeholder as it is otherwise */
const rate = (v: unknown): string => (typeof v === 'number' ? `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10}/s` : `${str(v)}/s`);

/** What the collector says of the error, or which level would say it. */
const errorKind = (f: Facts): string => {
  if (f['errorType'] === undefined || f['errorType'] === null || f['errorType'] === '') {
    return 'the collector does not name the error at its current `service.telemetry.metrics.level`: ' +
      'set it to `detailed` to see the error type and whether it is permanent';
  }
  const perm = f['permanent'] === true ? ', permanent' : f['permanent'] === false ? ', retryable' : '';
  return `error type ${str(f['errorType'])}${perm}`;
};

const sentNote = (f: Facts): string => `${rate(f['sentRate'])} still sent`;

export const trafficReasons = {
  exports_unauthorized: {
    cause: 'auth',
    severity: 'critical',
    summary: "The collector's real exports are refused for their credentials while the probe passes.",
    message: (f) =>
      `exporter ${str(f['exporter'])}: the collector's own sends fail at ${rate(f['failedRate'])} (${errorKind(f)}; ${sentNote(f)}) ` +
      "while the probe's export is accepted: the backend refuses the credentials the collector sends with real data",
    fix: (f) =>
      `Compare the credentials of exporters.${str(f['exporter'])} (headers, auth extension) with what otel-sentinel probes with; ` +
      'a token that expired or was rotated in the collector only, or a tenant without write access to this data, gives this',
  },
  exports_rejected: {
    cause: 'backend',
    severity: 'critical',
    summary: "The collector's real exports fail while the probe's empty export passes.",
    message: (f) =>
      `exporter ${str(f['exporter'])}: the collector's own sends fail at ${rate(f['failedRate'])} (${errorKind(f)}; ${sentNote(f)}) ` +
      "while the probe's empty export is accepted: the backend rejects real batches (size limits, quotas that bite at volume, invalid data)",
    fix: (f) =>
      f['errorType'] === 'ResourceExhausted' && f['permanent'] === false
        ? `The backend behind exporters.${str(f['exporter'])} throttles (RESOURCE_EXHAUSTED with a RetryInfo, retried by the collector) ` +
          "and its retries ran out (`retry_on_failure.max_elapsed_time`): raise the backend's ingestion quota or rate limit, send it less " +
          '(sampling, filtering), or let the collector wait longer (`max_elapsed_time`, a larger `sending_queue`); ' +
          "if the backend's answer in the collector's log names a size limit instead, lower the batch processor's `send_batch_max_size`"
        : f['errorType'] === 'ResourceExhausted' || f['errorType'] === '_OTHER'
        ? `Compare the batch size of exporters.${str(f['exporter'])} with the backend's limit on request size and its ingestion quotas: ` +
          'lower `sending_queue.batch` / the batch processor\'s `send_batch_max_size`, turn on `compression`, or raise the backend\'s limit'
        : `Read the collector's log for exporter ${str(f['exporter'])} ("Exporting failed" lines carry the backend's answer) ` +
          "and the backend's own logs; compare request sizes with the backend's limits and check per-tenant quotas",
  },
  exports_dropped_permanently: {
    cause: 'backend',
    severity: 'critical',
    summary: 'The backend rejects real data as permanently bad: it is dropped without retry.',
    message: (f) =>
      `exporter ${str(f['exporter'])}: ${rate(f['permanentRate'])} items are rejected with a permanent error (error type ${str(f['errorType'])}) ` +
      'and dropped without retry; the probe cannot see this, its export is empty',
    fix: (f) =>
      `Read the collector's log for exporter ${str(f['exporter'])} ("Exporting failed. Dropping data." carries the backend's answer): ` +
      'a request too large (HTTP 413: lower the batch size), data the backend does not accept (HTTP 400: attributes, timestamps, ' +
      'a schema it refuses) or a wrong path or tenant',
  },
  exports_stalled: {
    cause: 'backend',
    severity: 'critical',
    summary: 'Data stopped flowing: the receivers accept data, the exporter sends none and reports no failure.',
    message: (f) =>
      `exporter ${str(f['exporter'])}: the receivers accept ${rate(f['acceptedRate'])} but the exporter sent nothing and reported no failure ` +
      `for ${typeof f['seconds'] === 'number' ? Math.round(f['seconds']) : str(f['seconds'])} s, with ${str(f['inFlight'], 'unknown')} requests in flight` +
      `${f['queueGrew'] === true ? ' and its queue growing' : ''}: its sends hang, or every one of them is being retried`,
    fix: (f) =>
      `Check the backend behind exporters.${str(f['exporter'])}: one that accepts connections but does not answer holds the sends; ` +
      'set the exporter\'s `timeout` so a hung send fails and is retried instead of holding the queue\'s consumers. ' +
      "One that answers every batch with a retryable error (RESOURCE_EXHAUSTED with a RetryInfo, HTTP 429 or 503) keeps them in retry: the collector's log " +
      'shows "Exporting failed. Will retry the request after interval" and the backend\'s quota or capacity is the fix',
  },
  data_refused: {
    cause: 'resources',
    severity: 'critical',
    summary: 'The collector refuses data at the door (memory limiter or receivers): its clients get errors.',
    message: (f) =>
      `the collector refuses data: the memory limiter ${rate(f['limiterRate'])}, the receivers ${rate(f['refusedRate'])} ` +
      `(of ${rate(f['acceptedRate'])} accepted); the senders see errors and retry or drop`,
    fix: () =>
      "The collector is at its memory limiter's limit: give it more memory (and raise `memory_limiter.limit_mib` / `limit_percentage` with it), " +
      'send it less (sampling, fewer attributes), or spread the load over more collector replicas',
  },
} satisfies Record<string, ReasonSpec>;
