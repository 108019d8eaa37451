import { createSecureContext, type SecureContext, type SecureVersion } from 'node:tls';
import { isIP } from 'node:net';
import { gzipSync, deflateSync } from 'node:zlib';
import type { ExporterSpec } from '../config/exporter-spec.js';
import { authorityHost, endpointKeyOf, resolveEndpoint, type ResolvedEndpoint } from '../config/endpoint.js';
import { contentMemo } from '../config/content-memo.js';
import { headerSecrets } from '../config/header-secrets.js';
import { systemRoots } from '../config/system-roots.js';
import { loadTlsMaterial } from '../config/tls-material.js';
import { ENDPOINT_FORMS, formOf, PROTOCOLS } from '../config/protocols.js';
import type { Facts } from '../facts.js';
import type { Unprepared } from './probe-result.js';
import { parseProxyUrl, type ProxyTarget } from './proxy-target.js';
import type { X509Certificate } from 'node:crypto';

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
  /**
   * gRPC exporters: the channel's :authority, as grpc-go sets it: the exporter's `authority`, else
   * (over TLS) `tls.server_name_override`, else the endpoint's host:port
   */
  readonly grpcAuthority: string;
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

const MIN_VERSION: Readonly<Record<string, SecureVersion>> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

/**
 * Exporters with the same trust, client certificate and minimum version share one TLS context:
 * an OpenSSL context with its own CA store is about 90 KB, and a thousand exporters trusting one
 * CA file would otherwise hold it a thousand times. Sharing changes nothing on the wire: Node's
 * client contexts cache no sessions, so every probe still makes a full handshake.
 */
const contexts = contentMemo<SecureContext>();
const contextFor = (ca: string | undefined, cert: string | undefined, key: string | undefined, minVersion: SecureVersion, withSystemRoots: boolean): SecureContext =>
  // configtls: with include_system_ca_certs_pool the CA joins the system's roots (read once per process)
  contexts([withSystemRoots ? 'system roots and' : undefined, ca, cert, key, minVersion], () =>
    createSecureContext({ ca: withSystemRoots && ca !== undefined ? [...systemRoots(), ca] : ca, cert, key, minVersion }),
  );

const finding = (reason: Unprepared['reason'], facts: Facts): Unprepared => ({ reason, facts });

const EMPTY = Buffer.alloc(0);
const BODY: Readonly<Record<string, Buffer>> = { gzip: gzipSync(EMPTY), deflate: deflateSync(EMPTY), zlib: deflateSync(EMPTY) };

/**
 * Works out once per exporter what every probe reuses. Returns what it found instead when the
 * exporter cannot be probed at all (no usable endpoint, unreadable TLS files, bad proxy_url).
 */
export function prepareExporter(spec: ExporterSpec): { ok: true; prep: PreparedExporter } | { ok: false; finding: Unprepared } {
  // the key that holds the URL probed: `endpoint`, a per-signal `*_endpoint`, or the kind's own
  const endpointKey = endpointKeyOf(spec).key;
  const resolved = resolveEndpoint(spec);
  if (!resolved.ok) {
    return { ok: false, finding: finding(resolved.reason, { exporter: spec.name, detail: resolved.detail, key: endpointKey, source: spec.source }) };
  }
  const endpoint = resolved.endpoint;
  // the names the exporter gives its server, trimmed once: for the certificate and the :authority
  const override = spec.tls.serverNameOverride?.trim();
  const authority = spec.authority?.trim();
  let tls: PreparedTls | undefined;
  if (endpoint.tls) {
    const loaded = loadTlsMaterial(spec.tls);
    if (!loaded.ok) {
      return { ok: false, finding: finding('tls_config_invalid', { exporter: spec.name, key: loaded.key, detail: loaded.detail }) };
    }
    const m = loaded.material;
    const minVersion = MIN_VERSION[spec.tls.minVersion ?? ''] ?? 'TLSv1.2';
    let secureContext;
    let noCertContext;
    try {
      const withSystemRoots = spec.tls.includeSystemCaCertsPool === true;
      secureContext = contextFor(m.ca, m.cert, m.key, minVersion, withSystemRoots);
      if (m.cert) noCertContext = contextFor(m.ca, undefined, undefined, minVersion, withSystemRoots);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unusable';
      return { ok: false, finding: finding('tls_config_invalid', { exporter: spec.name, key: 'tls', detail: `OpenSSL refused the TLS settings (${code})` }) };
    }
    // grpc-go checks the certificate against the channel's authority: server_name_override, else
    // the exporter's `authority` (its host), else the endpoint's host
    const checkName = override || (authority ? authorityHost(authority) : '') || endpoint.host;
    tls = {
      secureContext,
      noCertContext,
      servername: isIP(checkName) === 0 ? checkName : undefined,
      checkName,
      rejectUnauthorized: !spec.tls.insecureSkipVerify,
      alpn: [...ENDPOINT_FORMS[formOf(spec)].alpn],
      clientChain: m.clientChain,
    };
  }
  let fixedProxy;
  if (PROTOCOLS[spec.protocol].proxyUrlKey && spec.proxyUrl && spec.proxyUrl.trim() !== '') {
    const p = parseProxyUrl(spec.proxyUrl, 'proxy_url');
    if (!p) {
      return {
        ok: false,
        finding: finding('invalid_endpoint', { exporter: spec.name, key: 'proxy_url', detail: 'proxy_url is not a URL', source: spec.source }),
      };
    }
    fixedProxy = p;
  }
  const compression = (spec.compression ?? '').toLowerCase();
  const body = BODY[compression] ?? EMPTY;
  const httpHeaders: Record<string, string> = {
    'content-type': 'application/x-protobuf',
    'user-agent': 'otel-sentinel',
  };
  // Plaintext requests may go to a proxy in absolute form, so the Host header is set here.
  if (PROTOCOLS[spec.protocol].forwardsPlaintext && !endpoint.tls) httpHeaders.host = new URL(endpoint.url).host;
  if (body !== EMPTY) httpHeaders['content-encoding'] = compression === 'gzip' ? 'gzip' : 'deflate';
  for (const [k, v] of Object.entries(spec.headers)) httpHeaders[k.toLowerCase()] = v;
  const names = Object.keys(spec.headers).map((k) => k.toLowerCase());
  const secrets = [...spec.secrets];
  for (const [k, v] of Object.entries(spec.headers)) secrets.push(...headerSecrets(k, v));
  if (fixedProxy) secrets.push(...fixedProxy.secrets);
  return {
    ok: true,
    prep: Object.freeze({
      spec,
      endpoint,
      tls,
      fixedProxy,
      baseFacts: Object.freeze({
        exporter: spec.name,
        // where a fix points: `probe.extra_targets[i]` for an extra target (else exporters.NAME)
        ...(spec.keyPrefix !== undefined ? { prefix: spec.keyPrefix } : {}),
        // a unix socket is named by its path (its authority is grpc-go's `localhost`)
        endpoint: endpoint.socketPath !== undefined ? endpoint.url : endpoint.authority,
        url: ENDPOINT_FORMS[formOf(spec)].shownAs === 'url' || endpoint.socketPath !== undefined ? endpoint.url : endpoint.authority,
        host: endpoint.host,
        port: endpoint.port,
        protocol: spec.protocol,
        ...(spec.signal ? { signal: spec.signal } : {}),
        ...(endpointKey !== 'endpoint' ? { endpoint_key: endpointKey } : {}),
        client_cert: tls !== undefined && tls.clientChain.length > 0,
        ...(tls?.clientChain[0] ? { client_subject: tls.clientChain[0].subject.replace(/\n/g, ', ') } : {}),
        ...(names.length > 0 ? { sent_headers: names.join(', ') } : {}),
      }),
      secrets: Object.freeze(secrets.filter((x) => x.length >= 4)),
      httpHeaders: Object.freeze(httpHeaders),
      httpBody: body,
      grpcAuthority: authority || (tls ? override : undefined) || endpoint.authority,
    }),
  };
}
