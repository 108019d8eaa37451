import { protocolTraits, type ProtocolTraits } from '../../config/protocols.js';
import type { Facts } from '../reason-spec.js';

/**
 * Text pieces shared by the reasons of the six probe causes, so every message names the exporter,
 * the address tried and the proxy the same way. Facts are already safe to show.
 */

/** A fact as text, or the fallback when it is absent. */
export const s = (v: Facts[string], fallback = '?'): string =>
  v === undefined || v === null || v === '' ? fallback : String(v);

export const exporter = (f: Facts): string => `exporter "${s(f.exporter)}"`;

/**
 * `exporters.NAME.KEY`: the config key to change, as written in the collector's config, or in
 * otel-sentinel's for an extra target (`probe.extra_targets[i].KEY`, fact `prefix`). For the
 * endpoint that is the key that holds the URL probed: a per-signal `*_endpoint` when it is set, and
 * for an exporter that is not OTLP its own endpoint key (`brokers[0]`, `endpoints[0]`).
 */
export const key = (f: Facts, sub: string): string =>
  `${s(f.prefix, `exporters.${s(f.exporter)}`)}.${sub === 'endpoint' && f.endpoint_key ? s(f.endpoint_key) : sub}`;

/** " through proxy http://proxy:3128 (from HTTPS_PROXY)", or nothing when direct. */
export const via = (f: Facts): string =>
  f.proxy ? ` through proxy ${s(f.proxy)}${f.proxy_source ? ` (from ${s(f.proxy_source)})` : ''}` : '';

/** "127.0.0.1:4317 (endpoint tempo:4317)", or just the endpoint when no address was tried. */
export const target = (f: Facts): string => {
  if (f.address && f.address !== f.endpoint) return `${s(f.address)} (endpoint ${s(f.endpoint)})`;
  return s(f.endpoint);
};

/** " (CODE)" when a code is known. */
export const code = (f: Facts): string => (f.code ? ` (${s(f.code)})` : '');

/** " details: ..." for a gRPC status or an extra observation. */
export const detail = (f: Facts): string => (f.detail ? `: ${s(f.detail)}` : '');

/** What answered: "HTTP 503 Service Unavailable" or "gRPC status UNAVAILABLE (details)". */
export const answer = (f: Facts): string => {
  if (f.grpc_status) {
    const http = f.status ? `, HTTP ${s(f.status)}` : '';
    return `gRPC status ${s(f.grpc_status)}${f.grpc_details ? ` "${s(f.grpc_details)}"` : ''}${http}`;
  }
  return `HTTP ${s(f.status)}${f.status_text ? ` ${s(f.status_text)}` : ''}`;
};

/** "the gRPC Export call to host:4317" when the protocol exports with a gRPC call, else undefined. */
export const grpcCall = (f: Facts): string | undefined =>
  protocolTraits(f.protocol)?.grpcCalls ? `the gRPC Export call to ${s(f.endpoint)}` : undefined;

/**
 * What was sent: "POST https://host:4318/v1/traces" (with " through proxy ..." when the proxy
 * forwarded it in absolute form, so the answer came from the proxy) or "the gRPC Export call to host:4317". */
export const request = (f: Facts): string => grpcCall(f) ?? `POST ${s(f.url, s(f.endpoint))}${f.proxy_mode === 'forward' ? via(f) : ''}`;

/** How to turn TLS off and on, by the key that switches it for the protocol (PROTOCOLS' `tlsSwitch`). */
const TLS_SWITCH: Readonly<Record<ProtocolTraits['tlsSwitch'], { readonly off: (f: Facts) => string; readonly on: (f: Facts) => string }>> = {
  'tls.insecure': {
    off: (f) => `set ${key(f, 'tls.insecure')}: true or use an http:// endpoint`,
    on: (f) => `remove ${key(f, 'tls.insecure')} (or use an https:// endpoint)`,
  },
  url_scheme: {
    off: (f) => `use an http:// URL in ${key(f, 'endpoint')}`,
    on: (f) => `use an https:// URL in ${key(f, 'endpoint')}`,
  },
};

const tlsSwitch = (f: Facts) => TLS_SWITCH[protocolTraits(f.protocol)?.tlsSwitch ?? 'url_scheme'];

/** The config key that turns TLS on or off for this exporter kind. */
export const plaintextKey = (f: Facts): string => tlsSwitch(f).off(f);

export const tlsKey = (f: Facts): string => tlsSwitch(f).on(f);

/** " Retry-After: 30" when the server sent one. */
export const retryAfter = (f: Facts): string => (f.retry_after ? ` (Retry-After: ${s(f.retry_after)})` : '');

/** The certificate as people recognise it: subject, issuer and validity. */
export const cert = (f: Facts): string => {
  const parts = [`subject "${s(f.subject)}"`, `issuer "${s(f.issuer)}"`];
  if (f.not_after) parts.push(`not after ${s(f.not_after)}`);
  return parts.join(', ');
};

export const hostOf = (f: Facts): string => s(f.host, s(f.endpoint));
export const portOf = (f: Facts): string => s(f.port, '?');
