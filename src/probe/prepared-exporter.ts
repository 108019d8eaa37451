import type { SecureContext } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { ExporterSpec } from '../config/exporter-spec.js';
import type { ResolvedEndpoint } from '../config/endpoint.js';
import type { ProxyTarget } from './proxy-target.js';

/**
 * Everything about one exporter that does not change between probes, worked out once when its
 * prober is created: the resolved endpoint, the TLS context (CA, client certificate), the headers,
 * the request body. Immutable; a config reload creates a new prober.
 */
export interface PreparedExporter {
  readonly spec: ExporterSpec;
  readonly endpoint: ResolvedEndpoint;
  /** TLS options for every handshake of this exporter; undefined on a plaintext endpoint */
  readonly tls?: PreparedTls;
  /** otlphttp `proxy_url`, which wins over the environment; undefined: look at the environment */
  readonly fixedProxy?: ProxyTarget;
  /** facts every problem of this exporter carries */
  readonly baseFacts: Readonly<Record<string, string | number | boolean>>;
  readonly secrets: readonly string[];
  /** HTTP exporters: the export's headers (content type, user agent, the exporter's headers) */
  readonly httpHeaders: Readonly<Record<string, string>>;
  /** HTTP exporters: the export's body, an empty protobuf, compressed as the exporter compresses */
  readonly httpBody: Buffer;
}

export interface PreparedTls {
  readonly secureContext: SecureContext;
  /** the same trust without the client certificate, to ask whether the server demands one */
  readonly noCertContext?: SecureContext;
  /** SNI: server_name_override, else the host unless it is an IP literal */
  readonly servername?: string;
  /** the name the certificate must cover */
  readonly checkName: string;
  readonly rejectUnauthorized: boolean;
  readonly alpn: readonly string[];
  readonly clientChain: readonly X509Certificate[];
}
