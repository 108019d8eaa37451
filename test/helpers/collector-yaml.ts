/**
 * A collector config (JSON is YAML) with an OTLP receiver and these exporters, every one of them
 * in the traces pipeline. `extra` adds top-level sections; its `service` is merged.
 */
export function collectorYaml(exporters: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const { service, ...rest } = extra as { service?: Record<string, unknown> };
  return JSON.stringify({
    receivers: { otlp: { protocols: { grpc: {} } } },
    ...rest,
    exporters,
    service: { ...service, pipelines: { traces: { receivers: ['otlp'], exporters: Object.keys(exporters) } } },
  });
}
