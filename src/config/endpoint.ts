import type { ExporterSpec, Signal } from './exporter-spec.js';
import { formOf, PROTOCOLS, type EndpointForm } from './protocols.js';

/** Where an exporter actually sends, worked out the way the collector works it out. */
export interface ResolvedEndpoint {
  /** host name or IP literal, without IPv6 brackets */
  readonly host: string;
  readonly port: number;
  /** whether the collector would speak TLS */
  readonly tls: boolean;
  /** `host:port` as sent in `:authority` / `Host` (IPv6 in brackets) */
  readonly authority: string;
  /** HTTP: the full traces URL; gRPC: `dns:///authority` */
  readonly url: string;
  /** HTTP: path and query of the traces URL; gRPC: the OTLP trace Export method */
  readonly path: string;
  /** gRPC over a unix socket (`unix:///path`): the socket's path; host is then `localhost`, as grpc-go's authority */
  readonly socketPath?: string;
}

export type EndpointResolution =
  | { readonly ok: true; readonly endpoint: ResolvedEndpoint }
  | { readonly ok: false; readonly reason: 'missing_endpoint' | 'invalid_endpoint'; readonly detail: string };

export const GRPC_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** The OTLP/gRPC Export method of each signal. */
export const GRPC_EXPORT_PATHS: Readonly<Record<Signal, string>> = Object.freeze({
  traces: GRPC_EXPORT_PATH,
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
});

const bracket = (host: string): string => (host.includes(':') ? `[${host}]` : host);

function splitHostPort(hostPort: string): { host: string; port: string | undefined } | null {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) return null;
    const rest = hostPort.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    return { host: hostPort.slice(1, end), port: rest === '' ? undefined : rest.slice(1) };
  }
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) return { host: hostPort, port: undefined };
  if (hostPort.indexOf(':') !== colon) return null; // bare IPv6 without brackets
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/**
 * The name grpc-go checks a server certificate against for a channel authority (the exporter's
 * `authority`, else `tls.server_name_override`): its host when it is `host:port` (net.SplitHostPort),
 * else the whole of it.
 */
export function authorityHost(authority: string): string {
  const hp = splitHostPort(authority);
  return hp && hp.port !== undefined ? hp.host : authority;
}

function parsePort(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * gRPC (configgrpc, as the collector validates and dials it): `host:port`; `http://` or
 * `https://` before it; a gRPC target URI whose path is `host:port` (`dns:///host:port`,
 * `dns://dns-server/host:port`, `passthrough:///host:port`); or `unix:///path` for a unix socket.
 * The port is required. `http://` or `tls.insecure: true` means plaintext, anything else TLS.
 */
function resolveGrpc(spec: ExporterSpec): EndpointResolution {
  // white space around it was refused before (resolveEndpoint)
  const written = spec.endpoint;
  let rest = written;
  let tls = !spec.tls.insecure;
  const path = GRPC_EXPORT_PATHS[spec.signal ?? 'traces'];
  const invalid = (detail: string): EndpointResolution => ({ ok: false, reason: 'invalid_endpoint', detail });
  if (/^unix:\/\//i.test(rest)) {
    const socketPath = socketPathOf(rest);
    if (rest.length === 'unix://'.length) return invalid('unix socket path cannot be empty');
    // grpc-go's unix resolver takes no authority: unix://tmp/otel.sock names a host "tmp"
    if (socketPath === undefined) return invalid(`"${written}" has a host before the socket's path; write unix:///absolute/path`);
    return { ok: true, endpoint: { host: 'localhost', port: 0, tls, authority: 'localhost', url: `unix://${socketPath}`, path, socketPath } };
  }
  if (/^http:\/\//i.test(rest)) {
    rest = rest.slice(7);
    tls = false;
  } else if (/^https:\/\//i.test(rest)) {
    rest = rest.slice(8);
    tls = true;
  } else if (rest.includes('://')) {
    // a gRPC target URI: the collector checks its path for host:port, grpc-go resolves it by scheme
    const scheme = rest.slice(0, rest.indexOf('://')).toLowerCase();
    if (scheme !== 'dns' && scheme !== 'passthrough') return invalid(`unsupported scheme in "${written}"`);
    const afterScheme = rest.slice(scheme.length + 3);
    const slash = afterScheme.indexOf('/');
    if (slash < 0) return invalid(`"${written}" is not ${scheme}:///host:port`);
    rest = afterScheme.slice(slash + 1);
  }
  if (rest.includes('/')) return invalid(`a gRPC endpoint takes no path: "${written}"`);
  const hp = splitHostPort(rest);
  if (hp && hp.host && hp.port === undefined) return invalid(`"${written}" has no port: the collector refuses an endpoint without one (missing port in address)`);
  const port = hp ? parsePort(hp.port, 0) : null;
  if (!hp || !hp.host || port === null) return invalid(`"${written}" is not host:port`);
  const authority = `${bracket(hp.host)}:${port}`;
  return { ok: true, endpoint: { host: hp.host, port, tls, authority, url: `dns:///${authority}`, path } };
}

/** The socket's path of a gRPC endpoint `unix:///path`; undefined for any other form. */
export function socketPathOf(endpoint: string): string | undefined {
  return /^unix:\/\/(\/.*)$/i.exec(endpoint)?.[1];
}

/** otlphttp's override key of a signal's URL, and its value when set. */
export function signalOverride(spec: ExporterSpec): { key: string; value: string | undefined } {
  switch (spec.signal ?? 'traces') {
    case 'metrics':
      return { key: 'metrics_endpoint', value: spec.metricsEndpoint };
    case 'logs':
      return { key: 'logs_endpoint', value: spec.logsEndpoint };
    default:
      return { key: 'traces_endpoint', value: spec.tracesEndpoint };
  }
}

/**
 * The URL an otlphttp exporter sends the probed signal to, as the collector composes it: the
 * signal's `<signal>_endpoint` as is, else `endpoint` + `/v1/<signal>` (no second slash).
 */
export function signalUrl(spec: ExporterSpec): string {
  const override = signalOverride(spec).value;
  if (override) return override.trim();
  const base = spec.endpoint.trim();
  const signal = spec.signal ?? 'traces';
  return base.endsWith('/') ? `${base}v1/${signal}` : `${base}/v1/${signal}`;
}

/** The traces URL of an otlphttp exporter: `traces_endpoint`, else `endpoint` + `/v1/traces`. */
export function tracesUrl(spec: ExporterSpec): string {
  return signalUrl({ ...spec, signal: 'traces' });
}

/** HTTP (confighttp): a URL with an http or https scheme; TLS follows the scheme. */
function resolveHttp(raw: string): EndpointResolution {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid_endpoint', detail: `"${raw}" is not a URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return {
      ok: false,
      reason: 'invalid_endpoint',
      detail: `"${raw}" needs an http:// or https:// scheme (got "${u.protocol.slice(0, -1)}")`,
    };
  }
  if (!u.hostname) return { ok: false, reason: 'invalid_endpoint', detail: `"${raw}" has no host` };
  const tls = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const authority = `${bracket(host)}:${port}`;
  return { ok: true, endpoint: { host, port, tls, authority, url: u.href, path: `${u.pathname}${u.search}` } };
}

/** A transport probe's `host:port` (Kafka brokers, Carbon): TLS as the exporter's `tls` block says. */
function resolveHostPort(spec: ExporterSpec): EndpointResolution {
  const raw = spec.endpoint.trim();
  const hp = splitHostPort(raw);
  const port = hp ? parsePort(hp.port, 0) : null;
  if (!hp || !hp.host || !port) return { ok: false, reason: 'invalid_endpoint', detail: `"${spec.endpoint}" is not host:port` };
  const authority = `${bracket(hp.host)}:${port}`;
  return { ok: true, endpoint: { host: hp.host, port, tls: spec.plainTls === true, authority, url: authority, path: '' } };
}

/** The resolver of each endpoint form; a URL is the probed signal's URL when the protocol has per-signal keys. */
const RESOLVE: Readonly<Record<EndpointForm, (spec: ExporterSpec) => EndpointResolution>> = Object.freeze({
  grpc: resolveGrpc,
  url: (spec: ExporterSpec) => resolveHttp(PROTOCOLS[spec.protocol].signalEndpointKeys ? signalUrl(spec) : spec.endpoint.trim()),
  host_port: resolveHostPort,
});

export function resolveEndpoint(spec: ExporterSpec): EndpointResolution {
  if (spec.endpoint.trim() === '' && !(PROTOCOLS[spec.protocol].signalEndpointKeys && signalOverride(spec).value)) {
    return { ok: false, reason: 'missing_endpoint', detail: 'no endpoint is set' };
  }
  const form = formOf(spec);
  // YAML trims a plain value, but not a quoted one nor what a variable or a file puts in a value
  const used = form === 'url' && PROTOCOLS[spec.protocol].signalEndpointKeys ? (signalOverride(spec).value ?? spec.endpoint) : spec.endpoint;
  if (form !== 'host_port' && used !== used.trim()) {
    return {
      ok: false,
      reason: 'invalid_endpoint',
      detail: `${JSON.stringify(used)} has white space around it (a quoted value, or a variable or file that holds it): the collector takes it as part of the endpoint, and refuses it or cannot reach it`,
    };
  }
  return RESOLVE[form](spec);
}

/** The key of the URL probed and its text as the user wrote it (for messages). */
export function endpointKeyOf(spec: ExporterSpec): { key: string; shown: string } {
  const traits = PROTOCOLS[spec.protocol];
  if (traits.kindEndpointKey) return { key: spec.endpointKey ?? 'endpoint', shown: spec.endpoint };
  const o = traits.signalEndpointKeys ? signalOverride(spec) : { key: '', value: undefined };
  return o.value ? { key: o.key, shown: o.value } : { key: 'endpoint', shown: spec.endpoint };
}
