import type { Facts } from '../facts.js';
import type { Phases } from './probe-result.js';
import type { ProbeRun } from './probe-run.js';

/** The layers of a probe, in the order they run. */
export type LayerName = 'auth' | 'proxy' | 'dns' | 'connect' | 'tls' | 'request';

/**
 * What a layer saw when it failed: a normalised code and the facts that explain it. Codes are an
 * errno (ECONNREFUSED), an OpenSSL or TLS code (CERT_HAS_EXPIRED, ERR_SSL_...), or one of the
 * observations below; the classifier (diagnose/classify-failure.ts) turns it into one problem.
 */
export interface LayerFailure {
  readonly layer: LayerName;
  readonly code: string;
  readonly facts: Facts;
  /** the original error, kept for logs and debugging; never shown as is */
  readonly cause?: unknown;
}

/** Observation codes that are not errors of the platform. */
export const OBSERVED = {
  /** the probe's deadline fired while the layer waited */
  timeout: 'TIMEOUT',
  /** the peer closed the connection without answering */
  closed: 'CLOSED',
  /** an HTTP answer; facts.status */
  httpStatus: 'HTTP_STATUS',
  /** a gRPC answer; facts.grpc_status */
  grpcStatus: 'GRPC_STATUS',
  /** the proxy answered CONNECT with a non-2xx status; facts.status */
  proxyStatus: 'PROXY_STATUS',
  /** first bytes of the answer: TLS records, HTTP/1.x, HTTP/2 frames, or something else */
  peerTls: 'PEER_TLS',
  peerHttp1: 'PEER_HTTP1',
  peerHttp2: 'PEER_HTTP2',
  peerUnknown: 'PEER_UNKNOWN',
  /**
   * the server dropped the connection after getting our client certificate, and it does demand one
   * (a second handshake without a certificate got the alert): it refused ours without saying so
   */
  clientCertRefused: 'CLIENT_CERT_REFUSED',
  /** a gRPC exporter's handshake ended without ALPN "h2": the collector's gRPC client refuses that */
  noAlpn: 'NO_ALPN',
} as const;

/**
 * One layer of a probe. `run` resolves to undefined on success (having filled `run`), or to what it
 * saw on failure; it never rejects and returns once `run.signal` fires. `skip` says whether the layer
 * has nothing to do for this run (e.g. no TLS on a plaintext endpoint).
 */
export interface Layer {
  readonly name: LayerName;
  /** the phase its time is counted in */
  readonly phase: keyof Phases | null;
  /** what it waits for, as messages say it ("the TLS handshake") */
  readonly waitsFor: string;
  skip(run: ProbeRun): boolean;
  run(run: ProbeRun): Promise<LayerFailure | undefined>;
}

export const fail = (layer: LayerName, code: string, facts: Facts = {}, cause?: unknown): LayerFailure => ({
  layer,
  code,
  facts,
  cause,
});
