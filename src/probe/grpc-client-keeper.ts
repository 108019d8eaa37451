import {
  Client,
  credentials,
  Metadata,
  status as grpcStatus,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { PreparedExporter } from './prepare-exporter.js';
import type { ProxyTarget } from './proxy-target.js';
import { isUnixSocket } from './dial-address.js';

/** What the Export call answered. */
export interface ExportAnswer {
  readonly code: number;
  readonly details: string;
}

const EMPTY = Buffer.alloc(0);
const passthrough = (b: Buffer): Buffer => b;

const targetOf = (a: LookupAddress, port: number): string =>
  isUnixSocket(a) ? `unix://${a.address}` : a.family === 6 ? `ipv6:[${a.address}]:${port}` : `ipv4:${a.address}:${port}`;

/** grpc-js sends at most these compression algorithms: 1 deflate, 2 gzip. */
const COMPRESSION: Readonly<Record<string, number>> = { gzip: 2, deflate: 1 };

/**
 * Holds one grpc-js client for an exporter between probe rounds, so a healthy round costs one
 * Export call on an open channel. The probe's own layers have already checked DNS, TCP and TLS on a
 * fresh connection; the client targets the very address (or proxy) that connection reached, so the
 * injected DNS is honoured. Lifecycle: created on first use, replaced when the address changes,
 * closed by `reset` (after a failed probe) and `close` (when the prober closes).
 */
export class GrpcClientKeeper {
  private client: Client | null = null;
  private key = '';
  private readonly creds: ChannelCredentials;
  private readonly metadata: Metadata;
  private readonly baseOptions: ChannelOptions;

  constructor(private readonly prep: PreparedExporter) {
    const t = prep.tls;
    this.creds = t
      ? credentials.createFromSecureContext(t.secureContext, { rejectUnauthorized: t.rejectUnauthorized })
      : credentials.createInsecure();
    this.metadata = new Metadata();
    for (const [k, v] of Object.entries(prep.spec.headers)) {
      const name = k.toLowerCase();
      try {
        if (name.endsWith('-bin')) this.metadata.set(name, Buffer.from(v));
        else this.metadata.set(name, v);
      } catch {
        // grpc-js refuses names it could not send either; the collector would fail the same way.
      }
    }
    const options: ChannelOptions = {
      'grpc.enable_http_proxy': 0,
      // Nothing reads channelz here; without it grpc-js keeps no per-call trace and counters.
      'grpc.enable_channelz': 0,
      'grpc.default_authority': prep.grpcAuthority,
      'grpc.primary_user_agent': 'otel-sentinel',
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    };
    // The channel targets an IP; the certificate must still be checked against the endpoint's name.
    if (t && isIP(t.checkName) === 0) options['grpc.ssl_target_name_override'] = t.checkName;
    const algo = COMPRESSION[(prep.spec.compression ?? '').toLowerCase()];
    if (algo !== undefined) options['grpc.default_compression_algorithm'] = algo;
    this.baseOptions = options;
  }

  /** Sends one empty Export over the kept channel to `address` (or through `proxy` at `address`). */
  export(
    address: LookupAddress,
    proxy: ProxyTarget | null,
    timeoutMs: number,
    signal: AbortSignal,
    extra: Readonly<Record<string, string>> | null = null,
  ): Promise<ExportAnswer> {
    const client = this.clientFor(address, proxy);
    const metadata = this.metadata.clone();
    // per-call credentials (an OAuth2 token), as grpc-go's PerRPCCredentials add them
    if (extra) for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
    return new Promise<ExportAnswer>((resolve) => {
      let call: ClientUnaryCall;
      try {
        call = client.makeUnaryRequest<Buffer, Buffer>(
          this.prep.endpoint.path,
          passthrough,
          passthrough,
          EMPTY,
          metadata,
          // the exporter's timeout 0 means no limit: only the probe's own deadline ends the call
          { deadline: timeoutMs > 0 ? Date.now() + timeoutMs : Infinity },
          (err: ServiceError | null) => {
            signal.removeEventListener('abort', onAbort);
            resolve(err ? { code: err.code, details: err.details } : { code: grpcStatus.OK, details: '' });
          },
        );
      } catch (err) {
        resolve({ code: grpcStatus.INTERNAL, details: `the gRPC client refused the call: ${(err as Error).message}` });
        return;
      }
      const onAbort = (): void => call.cancel();
      if (signal.aborted) call.cancel();
      else signal.addEventListener('abort', onAbort);
    });
  }

  private clientFor(address: LookupAddress, proxy: ProxyTarget | null): Client {
    const port = proxy ? proxy.port : this.prep.endpoint.port;
    const key = `${targetOf(address, port)} ${proxy ? proxy.display : ''}`;
    if (this.client && this.key === key) return this.client;
    this.reset();
    const options: ChannelOptions = { ...this.baseOptions };
    if (proxy) {
      options['grpc.http_connect_target'] = `dns:///${this.prep.endpoint.authority}`;
      if (proxy.authorization) {
        options['grpc.http_connect_creds'] = Buffer.from(proxy.authorization.slice(6), 'base64').toString();
      }
    }
    this.client = new Client(targetOf(address, port), this.creds, options);
    this.key = key;
    return this.client;
  }

  /** Drops the channel; the next export opens a new one. */
  reset(): void {
    if (this.client) this.client.close();
    this.client = null;
    this.key = '';
  }

  close(): void {
    this.reset();
  }
}
