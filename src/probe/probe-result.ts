import type { Facts } from '../facts.js';
import type { LayerFailure } from './layer.js';
import type { ProbeWarning } from './probe-run.js';

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

/**
 * Why an exporter cannot be probed at all (no usable endpoint, unreadable TLS files, bad
 * proxy_url): what was seen, named by the reason code diagnose/ reports it by.
 */
export interface Unprepared {
  readonly reason: 'missing_endpoint' | 'invalid_endpoint' | 'tls_config_invalid';
  readonly facts: Facts;
}

/**
 * What one probe saw, before it is judged (src/diagnose/classify-probe.ts turns it into a
 * ProbeResult): the phases, the TLS and proxy facts, and either what the layers met or why nothing
 * was tried.
 */
export interface ProbeObservation {
  /** epoch ms when the probe started */
  readonly startedAt: number;
  readonly phases: Phases;
  readonly tls: TlsFacts | null;
  readonly proxy?: ProxyUsed | null;
  /** why the exporter cannot be probed at all (no usable endpoint, unreadable TLS files, bad proxy_url) */
  readonly unprepared?: Unprepared;
  /** what the layers met; absent when nothing was tried */
  readonly ran?: LayersSeen;
}

/** What the layers of one probe met, to the first that failed. */
export interface LayersSeen {
  /** the first layer that failed; absent when every layer succeeded */
  readonly failure?: LayerFailure;
  /** the exporter's facts and what the layers noted (address tried, proxy, certificate...) */
  readonly facts: Facts;
  /** what a successful probe noticed on the way (an expiring certificate...) */
  readonly warnings: readonly ProbeWarning[];
  /** the whole probe, from its first layer to its last, in ms */
  readonly totalMs: number;
  /** values never to show (header values, tokens, proxy credentials), longest first */
  readonly secrets: readonly string[];
  /** whether the TLS handshake offered a client certificate */
  readonly sentClientCert: boolean;
  /** the mode the probe ran in, the time its deadline allowed, and the slow_response threshold */
  readonly mode: 'export' | 'handshake';
  readonly probeTimeoutMs?: number;
  readonly slowResponseMs: number;
}
