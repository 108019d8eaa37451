import type { Problem } from '../diagnose/problem.js';

/** An exporter's `tls` block as the collector reads it (configtls.ClientConfig). */
export interface TlsSettings {
  readonly insecure: boolean;
  readonly insecureSkipVerify: boolean;
  readonly caFile?: string;
  readonly caPem?: string;
  readonly certFile?: string;
  readonly certPem?: string;
  readonly keyFile?: string;
  readonly keyPem?: string;
  readonly serverNameOverride?: string;
  /** "1.0" .. "1.3", as in the collector's config */
  readonly minVersion?: string;
  /** `include_system_ca_certs_pool`: the CA is trusted beside the system's roots, not instead of them */
  readonly includeSystemCaCertsPool?: boolean;
}

/**
 * grpc, http: OTLP, probed with a real empty export; tcp: another protocol, probed for DNS, TCP and
 * TLS only; none: nothing to probe (a local file, the collector's log, an unknown type).
 */
export type ExporterProtocol = 'grpc' | 'http' | 'tcp' | 'none';

/** The telemetry signals a pipeline carries. */
export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** Where a value of the exporter's config came from, when it was a `${...}` reference. */
export interface ValueSource {
  /** the key under the exporter, e.g. `headers.authorization` */
  readonly key: string;
  /** the reference as written, e.g. `${env:TOKEN}` or `${file:/run/token}` */
  readonly reference: string;
  /**
   * collector: the collector process's environment; sidecar: otel-sentinel's own environment (the
   * collector's could not be read, or lacks it); default: unset, its `:-default` used; unset;
   * file: read from the file; unreadable: the file cannot be read here, so the value cannot be checked
   */
  readonly from: 'collector' | 'sidecar' | 'default' | 'unset' | 'file' | 'unreadable';
}

/** An oauth2client extension's client credentials grant, as the collector runs it. */
export interface OAuth2ClientAuth {
  readonly kind: 'oauth2client';
  /** the extension id, e.g. `oauth2client/vendor` */
  readonly id: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  /** `endpoint_params`, one pair per value */
  readonly endpointParams: ReadonlyArray<readonly [string, string]>;
  /** the extension's own `tls`, for the token request */
  readonly tls: TlsSettings;
  /** the extension's `timeout` for the token request; 0: none (the probe's deadline still holds) */
  readonly timeoutMs: number;
  /** `expiry_buffer`: a token is fetched again this long before it expires; 0: the default 10s */
  readonly expiryBufferMs: number;
}

/** An authenticator whose credentials the probe cannot make (sigv4auth, other oauth2 grants ...). */
export interface UnverifiableAuth {
  readonly kind: 'unverifiable';
  readonly id: string;
  readonly type: string;
  /** why, when more than the type says it */
  readonly detail?: string;
}

export type DynamicAuth = OAuth2ClientAuth | UnverifiableAuth;

/**
 * One OTLP exporter to watch, read from the collector's config (or `probe.extra_targets`) with env
 * references already expanded. Immutable: a reload builds new specs; a prober is tied to one spec.
 */
export interface ExporterSpec {
  /** `TYPE` or `TYPE/NAME` as in the collector's config */
  readonly name: string;
  /** the type as written: otlp, otlp_grpc, otlphttp, otlp_http, kafka, file, ... */
  readonly type: string;
  readonly protocol: ExporterProtocol;
  /** `endpoint` after env expansion ('' when missing); tcp: the entry probed (e.g. the first broker) */
  readonly endpoint: string;
  /** otlphttp `traces_endpoint`, when set */
  readonly tracesEndpoint?: string;
  /** otlphttp `metrics_endpoint`, when set */
  readonly metricsEndpoint?: string;
  /** otlphttp `logs_endpoint`, when set */
  readonly logsEndpoint?: string;
  /** the signal a probe exports (grpc, http); absent: traces */
  readonly signal?: Signal;
  /** the signals the exporter's pipelines carry; absent: not known (an extra target) */
  readonly signals?: readonly Signal[];
  /** tcp: how `endpoint` is written */
  readonly endpointForm?: 'grpc' | 'url' | 'host_port';
  /** tcp: the key the endpoint was read from (`endpoint`, `brokers[0]`, ...) */
  readonly endpointKey?: string;
  /** tcp, host_port form: whether the exporter speaks TLS */
  readonly plainTls?: boolean;
  /** what the probe leaves out and why (not probed, transport only, request not sent); shown as is */
  readonly note?: string;
  /** the request is not sent (a header's value cannot be read here): DNS, TCP and TLS only */
  readonly handshakeOnly?: boolean;
  /** where its `${...}` values came from */
  readonly valueSources?: readonly ValueSource[];
  readonly tls: TlsSettings;
  /** headers sent with every export: `headers` plus static authenticator credentials */
  readonly headers: Readonly<Record<string, string>>;
  readonly compression?: string;
  /** the exporter's own `timeout`, or the collector's default (5s gRPC, 30s HTTP) */
  readonly timeoutMs: number;
  /** otlphttp `proxy_url` */
  readonly proxyUrl?: string;
  /** a gRPC client's `authority` (otlp, otelarrow): the channel's :authority, and the name its certificate is checked against */
  readonly authority?: string;
  /** the file the exporter was read from (the last one that defined it) */
  readonly source: string;
  /** where its keys are written when that is not `exporters.NAME`: `probe.extra_targets[i]` for an extra target */
  readonly keyPrefix?: string;
  /** values that must never be shown: header values, tokens, passwords, proxy credentials */
  readonly secrets: readonly string[];
  /** credentials an authenticator fetches or computes per request; absent when static or none */
  readonly dynamicAuth?: DynamicAuth;
  /** mistakes visible without probing (docs/reasons.md), and unresolved env references */
  readonly configProblems: readonly Problem[];
}
