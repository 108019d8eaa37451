import type { ExporterSpec } from './exporter-spec.js';
import type { QueueSizer } from './queue-sizer.js';

/** The `memory_limiter` processor's limits, from the collector's config. */
export interface MemoryLimiterSettings {
  readonly limitMib?: number;
  readonly limitPercentage?: number;
  /** `spike_limit_mib` of the processor `limitMib` comes from, when set (else 20% of the limit) */
  readonly spikeLimitMib?: number;
  /** `spike_limit_percentage` of the processor `limitPercentage` comes from, when set (else 20% of it) */
  readonly spikeLimitPercentage?: number;
}

/**
 * What otel-sentinel takes from the collector's configuration, read from one or more files merged as
 * the collector merges them, with env references expanded. Immutable; a reload builds a new one.
 */
export interface CollectorModel {
  readonly files: readonly string[];
  /** OTLP exporters used by at least one pipeline (plus `probe.extra_targets`), in config order */
  readonly exporters: readonly ExporterSpec[];
  /** `collector.telemetry_url`, else derived from `service.telemetry.metrics`, else the default; '' off */
  readonly telemetryUrl: string;
  /** the smallest memory_limiter used by a pipeline, when any */
  readonly memoryLimiter: MemoryLimiterSettings | null;
  /** `sending_queue.sizer` of every exporter defined in the collector's config, by exporter id (absent: requests) */
  readonly queueSizers?: Readonly<Record<string, QueueSizer>>;
  /** the files `${file:}` references read (watched for changes like the config files) */
  readonly referencedFiles?: readonly string[];
}
