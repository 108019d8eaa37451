import type { ExporterProtocol } from './exporter-spec.js';
import { PROTOCOLS, type EndpointForm } from './protocols.js';

export type { EndpointForm } from './protocols.js';

/** One kind of exporter: what otel-sentinel probes of it and where its endpoint is written. */
export interface ExporterKind {
  /** the type name first, then its aliases */
  readonly types: readonly string[];
  /**
   * grpc, http: a real empty OTLP export; tcp: DNS, TCP and TLS only (the exporter's own protocol
   * is not OTLP); none: nothing to probe
   */
  readonly protocol: ExporterProtocol;
  /** tcp: the key holding the endpoint (a list key probes its first entry) */
  readonly endpointKey?: string;
  /** tcp: another key read when `endpointKey` is not set */
  readonly altKey?: string;
  readonly form?: EndpointForm;
  /** tcp, host_port: the port when the entry has none */
  readonly defaultPort?: number;
  /** why it is not probed (protocol none), or what a transport probe leaves out (tcp) */
  readonly why: string;
}

/** Every exporter kind otel-sentinel knows, one row each. Types not listed are not probed. */
export const EXPORTER_KINDS: readonly ExporterKind[] = Object.freeze([
  { types: ['otlp', 'otlp_grpc'], protocol: 'grpc', why: 'an empty OTLP/gRPC Export of a signal it carries' },
  { types: ['otlphttp', 'otlp_http'], protocol: 'http', why: 'an empty OTLP/HTTP POST of a signal it carries' },
  {
    types: ['prometheusremotewrite'],
    protocol: 'tcp',
    endpointKey: 'endpoint',
    form: 'url',
    why: 'Prometheus remote write, not OTLP: DNS, TCP and TLS are probed, no write is sent',
  },
  { types: ['zipkin'], protocol: 'tcp', endpointKey: 'endpoint', form: 'url', why: 'Zipkin, not OTLP: DNS, TCP and TLS are probed, no span is sent' },
  {
    types: ['elasticsearch'],
    protocol: 'tcp',
    endpointKey: 'endpoints',
    altKey: 'endpoint',
    form: 'url',
    why: 'Elasticsearch, not OTLP: DNS, TCP and TLS of the first endpoint are probed, no document is sent',
  },
  { types: ['splunk_hec'], protocol: 'tcp', endpointKey: 'endpoint', form: 'url', why: 'Splunk HEC, not OTLP: DNS, TCP and TLS are probed, no event is sent' },
  { types: ['influxdb'], protocol: 'tcp', endpointKey: 'endpoint', form: 'url', why: 'InfluxDB, not OTLP: DNS, TCP and TLS are probed, no point is written' },
  {
    types: ['kafka'],
    protocol: 'tcp',
    endpointKey: 'brokers',
    form: 'host_port',
    defaultPort: 9092,
    why: 'Kafka, not OTLP: DNS, TCP and TLS of the first broker are probed, nothing is produced',
  },
  { types: ['carbon'], protocol: 'tcp', endpointKey: 'endpoint', form: 'host_port', defaultPort: 2003, why: 'Carbon, not OTLP: DNS and TCP are probed, nothing is written' },
  {
    types: ['otelarrow'],
    protocol: 'tcp',
    endpointKey: 'endpoint',
    form: 'grpc',
    why: 'OTel Arrow streams: DNS, TCP and TLS are probed, no stream is opened',
  },
  {
    types: ['loadbalancing'],
    protocol: 'none',
    why: 'it sends to the backends its resolver finds; to have each probed, list them under probe.extra_targets as otlp_grpc targets',
  },
  { types: ['file'], protocol: 'none', why: 'it writes to a local file' },
  { types: ['debug', 'logging'], protocol: 'none', why: "it writes to the collector's own log" },
  { types: ['nop'], protocol: 'none', why: 'it discards everything' },
  { types: ['prometheus'], protocol: 'none', why: 'it serves metrics for scraping at its endpoint; nothing is sent' },
] satisfies ExporterKind[]);

const BY_TYPE: ReadonlyMap<string, ExporterKind> = new Map(EXPORTER_KINDS.flatMap((k) => k.types.map((t) => [t, k] as const)));

/** The kind of an exporter type; a type otel-sentinel does not know is not probed. */
export function kindOf(type: string): ExporterKind {
  return (
    BY_TYPE.get(type) ?? {
      types: [type],
      protocol: 'none',
      why: 'otel-sentinel has no probe for this exporter type; the collector-side verdicts (queue, send failures) still cover it',
    }
  );
}

/** Whether a protocol is probed with a real empty OTLP export (grpc, http). */
export const exportsOtlp = (protocol: ExporterProtocol): protocol is 'grpc' | 'http' => PROTOCOLS[protocol].exportsOtlp;

/** Every OTLP exporter type name and alias, from the table (the types an extra target may have). */
export const OTLP_TYPES: readonly string[] = Object.freeze(EXPORTER_KINDS.filter((k) => exportsOtlp(k.protocol)).flatMap((k) => k.types));

/** Whether the type is an OTLP exporter (probed with a real export). */
export const isOtlpType = (type: string): boolean => {
  const k = BY_TYPE.get(type);
  return k !== undefined && exportsOtlp(k.protocol);
};
