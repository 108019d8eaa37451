import type { LookupAddress } from 'node:dns';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Facts } from '../facts.js';
import type { ProbeContext } from './prober.js';
import type { Phases, TlsFacts } from './probe-result.js';
import type { PreparedExporter } from './prepare-exporter.js';
import type { ProxyTarget } from './proxy-target.js';
import type { GrpcClientKeeper } from './grpc-client-keeper.js';
import type { OAuth2TokenSource } from './oauth2-token.js';

/** A warning a successful probe found (the reason code diagnose/ reports it by, and its facts). */
export interface ProbeWarning {
  readonly reason: 'tls_cert_expiring';
  readonly facts: Facts;
}

/**
 * The state of one probe while its layers run. Created by the runner for one probe and dropped
 * after it; layers fill it in order. The runner destroys `socket` and `tlsSocket` at the end.
 */
export interface ProbeRun {
  readonly prep: PreparedExporter;
  readonly ctx: ProbeContext;
  readonly signal: AbortSignal;
  readonly phases: Phases;
  /** facts gathered so far (address tried, proxy, certificate...), merged into any problem */
  readonly facts: Record<string, string | number | boolean | null>;
  readonly warnings: ProbeWarning[];
  /** the proxy chosen by the proxy layer, or null when going direct */
  proxy: ProxyTarget | null;
  /** the addresses of the host dialled (the proxy's when proxied) */
  addresses: LookupAddress[];
  /** the address the connection was made to (the proxy's when proxied) */
  connected: LookupAddress | null;
  /** the connected TCP socket (through the proxy's tunnel when proxied) */
  socket: Socket | null;
  /** the TLS socket over `socket` once the handshake is done */
  tlsSocket: TLSSocket | null;
  tls: TlsFacts | null;
  /** performance.now() when the probe started */
  readonly t0: number;
  /** the prober's kept gRPC channel (gRPC exporters only) */
  readonly grpc: GrpcClientKeeper | null;
  /** whether any byte came back from the server on the probed connection */
  answered: boolean;
  /** the prober's OAuth2 token source, when the exporter's authenticator is oauth2client */
  readonly tokens: OAuth2TokenSource | null;
  /** headers the authenticator adds to this export (the OAuth2 token); null when none */
  authHeaders: Record<string, string> | null;
  /** values fetched for this probe that must never be shown (the token) */
  readonly authSecrets: string[];
}

/** The socket the request layer talks over: TLS when there is one. */
export const wire = (run: ProbeRun): Socket | null => run.tlsSocket ?? run.socket;
