/**
 * The collector config a bench run gives otel-sentinel (JSON is YAML): an OTLP receiver and these
 * exporters, every one of them in the traces pipeline.
 */
export function collectorConfig(exporters: Record<string, unknown>): string {
  return JSON.stringify({
    receivers: { otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' } } } },
    exporters,
    service: { pipelines: { traces: { receivers: ['otlp'], exporters: Object.keys(exporters) } } },
  });
}
