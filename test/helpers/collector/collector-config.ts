/**
 * The config file of a real collector under test, as the collector reads it (JSON is YAML): an
 * OTLP/gRPC receiver on loopback, a batch processor, the given exporters (each with a sending
 * queue of known size unless it sets its own) in one traces pipeline, and internal telemetry
 * served by a pull Prometheus reader on loopback.
 */
export type ReaderNames =
  /** the reader as most configs write it: no `_total`, no unit suffixes, no otel_scope_* labels */
  | 'default'
  /** without_type_suffix: false, without_units: false, without_scope_info: false */
  | 'suffixed';

export interface CollectorConfigOptions {
  /** exporter ID -> its settings */
  readonly exporters: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly receiverPort: number;
  readonly telemetryPort: number;
  /** sending_queue.queue_size of every exporter that sets no sending_queue (default 200) */
  readonly queueSize?: number;
  readonly reader?: ReaderNames;
  /** processors (default: a batch processor that flushes every 100 ms) */
  readonly processors?: Readonly<Record<string, unknown>>;
  /** the pipeline's processors, in order (default: every key of `processors`) */
  readonly pipelineProcessors?: readonly string[];
  /** service.telemetry.metrics.level (default normal) */
  readonly metricsLevel?: string;
}

export function collectorConfig(o: CollectorConfigOptions): Record<string, unknown> {
  const queueSize = o.queueSize ?? 200;
  const exporters = Object.fromEntries(
    Object.entries(o.exporters).map(([id, settings]) => [
      id,
      'sending_queue' in settings || id.startsWith('debug') ? settings : { ...settings, sending_queue: { queue_size: queueSize } },
    ]),
  );
  const processors = o.processors ?? { batch: { timeout: '100ms' } };
  const prometheus: Record<string, unknown> = { host: '127.0.0.1', port: o.telemetryPort };
  if (o.reader === 'suffixed') {
    prometheus['without_type_suffix'] = false;
    prometheus['without_units'] = false;
    prometheus['without_scope_info'] = false;
  }
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${o.receiverPort}` } } } },
    processors,
    exporters,
    service: {
      telemetry: {
        logs: { level: 'error', encoding: 'json', sampling: { enabled: false } },
        metrics: { level: o.metricsLevel ?? 'normal', readers: [{ pull: { exporter: { prometheus } } }] },
      },
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: o.pipelineProcessors ?? Object.keys(processors),
          exporters: Object.keys(exporters),
        },
      },
    },
  };
}
