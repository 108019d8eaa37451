import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import {
  createServer as createH2c,
  createSecureServer as createH2,
  type Http2Server,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTls } from 'node:tls';
import { portSwitch } from '../port-switch.js';

/**
 * What the backend does with an export now:
 * - healthy: accepts it (200 / gRPC OK)
 * - unavailable: 503 / UNAVAILABLE
 * - throttled: 429 / RESOURCE_EXHAUSTED
 * - not_found: 404 / UNIMPLEMENTED (no OTLP trace service at that path)
 * - unauthorized: 401 / UNAUTHENTICATED (credentials revoked)
 * - silent: takes the request and never answers it
 * - refused: stops listening (connections are refused), on the same port
 */
export type FaultMode = 'healthy' | 'unavailable' | 'throttled' | 'not_found' | 'unauthorized' | 'silent' | 'refused';

export interface FaultBackendOptions {
  /** OTLP/gRPC (HTTP/2: h2c, or h2 over TLS) or OTLP/HTTP (HTTP/1.1, or HTTPS) */
  readonly protocol: 'grpc' | 'http';
  /** serve TLS with this certificate; `clientCa` also requires a client certificate signed by it */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
  readonly mode?: FaultMode;
  /**
   * when set, an export without `authorization` gets 401 / UNAUTHENTICATED, one with another
   * value than `Bearer <token>` 403 / PERMISSION_DENIED
   */
  readonly requiredToken?: string;
  /**
   * gRPC over TLS only: false serves HTTP/2 without negotiating it in the handshake (no ALPN), as
   * some TLS terminators do (default true)
   */
  readonly alpn?: boolean;
}

/**
 * An OTLP backend on 127.0.0.1 whose answer is switched at run time, always on the same port.
 * Every switch drops the open connections, as a restarted backend would. Lifecycle: start,
 * `setMode()` any number of times, `close()` in a teardown.
 */
export interface FaultBackend {
  readonly port: number;
  /** the exporter's `endpoint`: host:port for gRPC, a base URL for HTTP */
  readonly endpoint: string;
  mode(): FaultMode;
  /** exports that reached the handler so far */
  exports(): number;
  setMode(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

const GRPC: Record<'unavailable' | 'throttled' | 'not_found' | 'unauthenticated' | 'forbidden', number> = {
  unavailable: 14,
  throttled: 8,
  not_found: 12,
  unauthenticated: 16,
  forbidden: 7,
};
const HTTP: Record<keyof typeof GRPC, number> = { unavailable: 503, throttled: 429, not_found: 404, unauthenticated: 401, forbidden: 403 };
const TRACE_SERVICE = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export async function startFaultBackend(o: FaultBackendOptions): Promise<FaultBackend> {
  let mode: FaultMode = o.mode ?? 'healthy';
  let exports = 0;
  const hanging = new Set<{ end(): void }>();

  /** the failure to answer with, or null for success; undefined: never answer */
  const verdict = (authorization: string | undefined, pathOk: boolean): keyof typeof GRPC | null | undefined => {
    if (mode === 'silent') return undefined;
    if (!pathOk || mode === 'not_found') return 'not_found';
    if (o.requiredToken !== undefined) {
      if (authorization === undefined) return 'unauthenticated';
      if (authorization !== `Bearer ${o.requiredToken}`) return 'forbidden';
    }
    if (mode === 'unavailable' || mode === 'throttled') return mode;
    if (mode === 'unauthorized') return 'unauthenticated';
    return null;
  };

  const onHttp = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      exports++;
      const v = verdict(req.headers.authorization, req.method === 'POST' && req.url === '/v1/traces');
      if (v === undefined) {
        hanging.add(res);
        return;
      }
      if (v === null) {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        return;
      }
      res.writeHead(HTTP[v], { 'content-type': 'text/plain' }).end(`${HTTP[v]}\n`);
    });
  };

  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    stream.on('error', () => {});
    const ct = String(headers['content-type'] ?? '');
    if (!ct.startsWith('application/grpc')) {
      // what grpc-go answers to a request that is not gRPC
      stream.respond({ ':status': 415, 'content-type': 'text/plain' });
      stream.end('invalid gRPC request content-type\n');
      return;
    }
    stream.resume();
    stream.on('end', () => {
      // a switch of mode may have dropped the connection meanwhile: nothing to answer on
      if (stream.destroyed) return;
      exports++;
      const auth = headers['authorization'];
      const v = verdict(typeof auth === 'string' ? auth : undefined, headers[':path'] === TRACE_SERVICE);
      if (v === undefined) {
        hanging.add(stream);
        return;
      }
      if (v === null) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
        return;
      }
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(GRPC[v]), 'grpc-message': v },
        { endStream: true },
      );
    });
  };

  const t = o.tls;
  const tlsOptions = t
    ? { cert: t.cert, key: t.key, ca: t.clientCa, requestCert: t.clientCa !== undefined, rejectUnauthorized: t.clientCa !== undefined }
    : undefined;
  let server: Server | Http2Server | Http2SecureServer;
  if (o.protocol === 'http') server = tlsOptions ? createHttps(tlsOptions, onHttp) : createHttp(onHttp);
  else if (tlsOptions && o.alpn === false) {
    // TLS without ALPN, then HTTP/2 spoken on the decrypted socket
    const h2c = createH2c();
    h2c.on('stream', onStream);
    h2c.on('sessionError', () => {});
    const tlsServer = createTls(tlsOptions, (socket) => {
      // node's HTTP/2 server answers a TLS socket without ALPN "h2" as HTTP/1.0; speak HTTP/2 anyway
      Object.defineProperty(socket, 'alpnProtocol', { value: 'h2' });
      h2c.emit('connection', socket);
    });
    server = tlsServer;
  } else {
    const s = tlsOptions ? createH2({ ...tlsOptions, ALPNProtocols: ['h2'] }) : createH2c();
    s.on('stream', onStream);
    s.on('sessionError', () => {});
    server = s;
  }
  // a client that refuses our certificate (or brings none) fails on its side
  server.on('tlsClientError', () => {});

  const gate = portSwitch(server, () => {
    for (const h of hanging) h.end();
    hanging.clear();
  });
  await gate.listen(0);
  const port = (server.address() as AddressInfo).port;
  if (mode === 'refused') await gate.stop();
  const scheme = t ? 'https' : 'http';
  return {
    port,
    endpoint: o.protocol === 'grpc' ? `127.0.0.1:${port}` : `${scheme}://127.0.0.1:${port}`,
    mode: () => mode,
    exports: () => exports,
    async setMode(next) {
      mode = next;
      if (next === 'refused') return gate.stop();
      gate.dropConnections();
      if (!gate.listening) await gate.listen(port);
    },
    close: () => gate.stop(),
  };
}

