import type { Problem } from '../diagnose/problem.js';

/** Phase durations in seconds; null for a phase that did not run. */
export interface Phases {
  dns_seconds: number | null;
  connect_seconds: number | null;
  tls_seconds: number | null;
  request_seconds: number | null;
}

export interface TlsFacts {
  version: string | null;
  alpn: string | null;
  /** earliest expiry in the served chain, ISO 8601 */
  not_after: string | null;
}

/** The proxy a probe went through, as shown: its URL without credentials and where it was named. */
export interface ProxyUsed {
  /** `http://host:port` */
  url: string;
  /** `proxy_url`, `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY` or `http_proxy` */
  source: string;
  /** `forward`: plaintext HTTP sent to the proxy in absolute form; `tunnel`: through CONNECT */
  mode: 'forward' | 'tunnel';
}

/** What one probe of one exporter found. A probe never throws; everything it saw is here. */
export interface ProbeResult {
  /** true when every layer succeeded end to end (warnings allowed) */
  readonly up: boolean;
  /**
   * At most one problem of the six probe causes that is critical (the first failing layer),
   * else warnings (tls_cert_expiring, slow_response); also the exporter's config problems.
   */
  readonly problems: readonly Problem[];
  readonly phases: Phases;
  readonly totalSeconds: number;
  readonly tls: TlsFacts | null;
  /** the proxy the probe went through; null (or absent) when it went direct */
  readonly proxy?: ProxyUsed | null;
  /** epoch ms when the probe started */
  readonly startedAt: number;
}
