import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `queue` cause (docs/reasons.md): the collector's own view of its exporters. */

const pct = (v: unknown): string => (typeof v === 'number' ? `${Math.round(v * 100)}%` : 'unknown');
const str = (v: unknown, dflt = ''): string => (v === undefined || v === null ? dflt : String(v));
const dur = (v: unknown): string => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'unknown';
  if (v < 90) return `${Math.round(v)}s`;
  if (v < 5400) return `${Math.round(v / 60)} min`;
  return `${(v / 3600).toFixed(1)} h`;
};
/**
 * "850 of 1000 requests": size and capacity in the unit the exporter's `sending_queue.sizer` counts
 * (fact `unit`: requests, spans, metric points, log records, items or bytes; requests when absent,
 * the collector's default). Bytes are also given in KiB/MiB.
 */
const ofCapacity = (f: Readonly<Record<string, unknown>>): string => {
  const unit = str(f['unit'], 'requests');
  const held = `${str(f['size'], '?')} of ${str(f['capacity'], '?')} ${unit}`;
  if (unit !== 'bytes' || typeof f['size'] !== 'number' || typeof f['capacity'] !== 'number') return held;
  return `${held}, ${binary(f['size'])} of ${binary(f['capacity'])}`;
};
const binary = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
const queueOf = (f: Readonly<Record<string, unknown>>): string =>
  `exporter ${str(f['exporter'])}${f['dataType'] ? ` (${str(f['dataType'])} queue)` : ''}`;

const queueFix = (name: unknown): string =>
  `The queue fills because ${str(name)} cannot send as fast as data arrives: first fix what its probe reports (cause and reason of that exporter), ` +
  `then, if the backend is healthy but slow, raise \`exporters.${str(name)}.sending_queue.num_consumers\` (parallel sends) ` +
  'or `sending_queue.queue_size` (counted in the unit of `sending_queue.sizer`: requests by default, or items or bytes) ' +
  'to ride out longer outages (memory permitting), and consider `sending_queue.storage: file_storage` ' +
  'so a restart does not lose what is queued.';

export const queueReasons = {
  queue_near_capacity: {
    cause: 'queue',
    severity: 'warning',
    summary: 'the exporter\'s sending queue is filling up',
    message: (f) => {
      const eta = typeof f['secondsToFull'] === 'number' ? `; at the current rate it is full in ${dur(f['secondsToFull'])}` : '';
      return `The sending queue of ${queueOf(f)} holds ${ofCapacity(f)} ` +
        `(${pct(f['ratio'])}, threshold ${pct(f['threshold'])})${eta}. When it is full, new data is dropped.`;
    },
    fix: (f) => queueFix(f['exporter']),
  },
  queue_full: {
    cause: 'queue',
    severity: 'critical',
    summary: 'the exporter\'s sending queue is full: data is being dropped',
    message: (f) => {
      const drops = typeof f['enqueueFailed'] === 'number' && f['enqueueFailed'] > 0
        ? `${str(f['enqueueFailed'])} items could not be enqueued since the last check (otelcol_exporter_enqueue_failed_*) and were dropped`
        : 'new data cannot be enqueued and is dropped';
      return `The sending queue of ${queueOf(f)} is full (${ofCapacity(f)}): ${drops}.`;
    },
    fix: (f) => queueFix(f['exporter']),
  },
  send_failing: {
    cause: 'queue',
    severity: 'critical',
    summary: 'the collector\'s sends to this exporter\'s backend fail',
    message: (f) => {
      const head = `The collector reports ${str(f['failed'], '?')} items in failed send attempts by exporter ${str(f['exporter'])} ` +
        `since the last check (otelcol_exporter_send_failed_*), ${str(f['sent'], '0')} sent.`;
      if (f['probe'] === 'up') {
        return `${head} The probe and the collector disagree: the probe reached the backend and it accepted an export, yet the collector's ` +
          'own sends fail. That points at data-dependent rejection (payload too large, invalid data, per-tenant limits) ' +
          'or at intermittent faults the probe did not hit.';
      }
      if (f['probe'] === 'down') return `${head} The probe fails as well: its cause and reason for this exporter say why.`;
      return head;
    },
    fix: (f) =>
      f['probe'] === 'up'
        ? `Read the collector's log for exporter ${str(f['exporter'])} ("Exporting failed" lines carry the backend's answer); ` +
          'compare request sizes with the backend\'s limits (`sending_queue.batch` / `batch` processor `send_batch_max_size`, `compression`), ' +
          'and check per-tenant quotas on the backend.'
        : `Fix what the probe of ${str(f['exporter'])} reports; the collector's retries (\`retry_on_failure\`) hold data only until \`max_elapsed_time\`.`,
  },
  telemetry_unreachable: {
    cause: 'queue',
    severity: 'warning',
    summary: 'the collector\'s internal metrics cannot be read',
    message: (f) =>
      `The collector's internal metrics at ${str(f['url'])} cannot be read: ${str(f['detail'])}. ` +
      'Sending queues and send failures are not visible.',
    fix: (f) =>
      'Enable the collector\'s Prometheus endpoint in its config under `service.telemetry.metrics` ' +
      '(`readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 8888}}}}]`) ' +
      `and point otel-sentinel's \`collector.telemetry_url\` at it (now ${str(f['url'])}); set \`collector.telemetry_url: ""\` to turn this off.`,
  },
} satisfies Record<string, ReasonSpec>;
