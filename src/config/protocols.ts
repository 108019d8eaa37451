import type { ExporterProtocol, ExporterSpec } from './exporter-spec.js';

/**
 * How an endpoint is written for a probe:
 * - `grpc`: as configgrpc reads it (`host:port`, `dns:///`, `http(s)://host:port`; `tls.insecure`)
 * - `url`: an http:// or https:// URL, TLS by the scheme (confighttp)
 * - `host_port`: `host:port`, TLS when the exporter has a `tls` block that is not `insecure`
 */
export type EndpointForm = 'grpc' | 'url' | 'host_port';

/** What a way of writing the endpoint implies for the connection. */
export interface FormTraits {
  /** the ALPN protocols offered in the TLS handshake */
  readonly alpn: readonly string[];
  /** what the `url` fact shows: the URL as resolved, or `host:port` */
  readonly shownAs: 'url' | 'authority';
}

/** Every endpoint form, one row each. */
export const ENDPOINT_FORMS: Readonly<Record<EndpointForm, FormTraits>> = Object.freeze({
  grpc: Object.freeze({ alpn: Object.freeze(['h2']), shownAs: 'authority' }),
  url: Object.freeze({ alpn: Object.freeze(['h2', 'http/1.1']), shownAs: 'url' }),
  host_port: Object.freeze({ alpn: Object.freeze([]), shownAs: 'authority' }),
} satisfies Record<EndpointForm, FormTraits>);

/** A reason a static check raises when an exporter points at the other OTLP protocol's port. */
export type PortMismatchReason = 'grpc_port_mismatch' | 'http_port_mismatch';

/**
 * What a protocol means to otel-sentinel: every place that treats one protocol unlike another asks
 * this table for a trait instead of comparing protocol names. Plain data, so the status page's
 * renderer (which also runs in the browser) can be handed it.
 */
export interface ProtocolTraits {
  /** how the views name it */
  readonly label: string;
  /** whether anything is probed at all (none: the exporter is listed, not probed) */
  readonly probed: boolean;
  /** a real empty OTLP export of one signal is sent (else DNS, TCP and TLS only, or nothing) */
  readonly exportsOtlp: boolean;
  /** how the endpoint is written; null: as the exporter kind says (`form` in EXPORTER_KINDS, else url) */
  readonly form: EndpointForm | null;
  /** the export is a gRPC call on a kept HTTP/2 channel (else an HTTP POST) */
  readonly grpcCalls: boolean;
  /**
   * a TLS handshake must select ALPN "h2" (grpc-go), so a server that refuses or ignores "h2" is an
   * HTTP-only server
   */
  readonly requiresAlpnH2: boolean;
  /** which key turns TLS off: `tls.insecure` (the scheme may override it) or the URL's scheme */
  readonly tlsSwitch: 'tls.insecure' | 'url_scheme';
  /**
   * a proxy is always a CONNECT tunnel, and the environment is asked for the proxy of an https://
   * target whatever the TLS setting (grpc-go); else only a TLS endpoint tunnels
   */
  readonly proxyAlwaysTunnels: boolean;
  /** plaintext requests go to a proxy in absolute form, so the Host header is set by the probe */
  readonly forwardsPlaintext: boolean;
  /** the exporter block has `proxy_url` (confighttp) */
  readonly proxyUrlKey: boolean;
  /** the exporter block has per-signal `traces_endpoint`, `metrics_endpoint`, `logs_endpoint` */
  readonly signalEndpointKeys: boolean;
  /** the endpoint is read from the key the exporter kind names (`endpointKey`, e.g. `brokers`) */
  readonly kindEndpointKey: boolean;
  /** the well-known OTLP port of this protocol, when it has one */
  readonly otlpPort: number | null;
  /** the port that means "the other OTLP protocol", and the reason raised when it is used */
  readonly otherProtocolPort: { readonly port: number; readonly reason: PortMismatchReason } | null;
  /** the probe's deadline when the exporter sets no `timeout` */
  readonly defaultTimeoutMs: number;
  /**
   * OTLP: the client keys (configgrpc, confighttp) the collector decodes in the exporter's block
   * besides the ones every OTLP exporter has (refused-config.ts); a key in neither list makes the
   * collector refuse the config
   */
  readonly clientKeys: readonly string[];
}

/** Every protocol otel-sentinel knows, one row each; the layers of each are in probe/layers.ts. */
export const PROTOCOLS: Readonly<Record<ExporterProtocol, ProtocolTraits>> = Object.freeze({
  grpc: Object.freeze({
    label: 'gRPC',
    probed: true,
    exportsOtlp: true,
    form: 'grpc',
    grpcCalls: true,
    requiresAlpnH2: true,
    tlsSwitch: 'tls.insecure',
    proxyAlwaysTunnels: true,
    forwardsPlaintext: false,
    proxyUrlKey: false,
    signalEndpointKeys: false,
    kindEndpointKey: false,
    otlpPort: 4317,
    otherProtocolPort: Object.freeze({ port: 4318, reason: 'grpc_port_mismatch' }),
    defaultTimeoutMs: 5_000,
    clientKeys: Object.freeze(['authority', 'balancer_name', 'user_agent', 'wait_for_ready']),
  }),
  http: Object.freeze({
    label: 'HTTP',
    probed: true,
    exportsOtlp: true,
    form: 'url',
    grpcCalls: false,
    requiresAlpnH2: false,
    tlsSwitch: 'url_scheme',
    proxyAlwaysTunnels: false,
    forwardsPlaintext: true,
    proxyUrlKey: true,
    signalEndpointKeys: true,
    kindEndpointKey: false,
    otlpPort: 4318,
    otherProtocolPort: Object.freeze({ port: 4317, reason: 'http_port_mismatch' }),
    defaultTimeoutMs: 30_000,
    clientKeys: Object.freeze(['traces_endpoint', 'metrics_endpoint', 'logs_endpoint', 'profiles_endpoint', 'encoding', 'proxy_url',
      'compression_params', 'max_conns_per_host', 'http2_read_idle_timeout', 'http2_ping_timeout', 'cookies', 'force_attempt_http2']),
  }),
  tcp: Object.freeze({
    label: 'TCP',
    probed: true,
    exportsOtlp: false,
    form: null,
    grpcCalls: false,
    requiresAlpnH2: false,
    tlsSwitch: 'url_scheme',
    proxyAlwaysTunnels: false,
    forwardsPlaintext: false,
    proxyUrlKey: false,
    signalEndpointKeys: false,
    kindEndpointKey: true,
    otlpPort: null,
    otherProtocolPort: null,
    defaultTimeoutMs: 30_000,
    clientKeys: Object.freeze([]),
  }),
  none: Object.freeze({
    label: 'not probed',
    probed: false,
    exportsOtlp: false,
    form: null,
    grpcCalls: false,
    requiresAlpnH2: false,
    tlsSwitch: 'url_scheme',
    proxyAlwaysTunnels: false,
    forwardsPlaintext: false,
    proxyUrlKey: false,
    signalEndpointKeys: false,
    kindEndpointKey: false,
    otlpPort: null,
    otherProtocolPort: null,
    defaultTimeoutMs: 30_000,
    clientKeys: Object.freeze([]),
  }),
} satisfies Record<ExporterProtocol, ProtocolTraits>);

/** The traits of a protocol named in facts or JSON (any value); undefined when it is none we know. */
export const protocolTraits = (protocol: unknown): ProtocolTraits | undefined =>
  typeof protocol === 'string' && Object.hasOwn(PROTOCOLS, protocol) ? PROTOCOLS[protocol as ExporterProtocol] : undefined;

/** How this exporter's endpoint is written: by its protocol, else by its kind. */
export const formOf = (spec: Pick<ExporterSpec, 'protocol' | 'endpointForm'>): EndpointForm =>
  PROTOCOLS[spec.protocol].form ?? spec.endpointForm ?? 'url';
