/**
 * A real OTLP/HTTP server on loopback: node:http, node:https, or HTTP/2 over TLS
 * (http2.createSecureServer with allowHTTP1). Configurable status, Retry-After, required bearer
 * token, delay, mTLS; answers 404 off the traces path. Records every request.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

export interface HttpServerOptions {
  /** status for POST on the traces path (default 200) */
  readonly status?: number;
  readonly retryAfter?: string;
  /** body of the answer */
  readonly body?: string;
  /** when set, requests without `authorization: Bearer TOKEN` get 401 */
  readonly requiredToken?: string;
  readonly delayMs?: number;
  /** the path that answers `status`; anything else is 404 (default /v1/traces) */
  readonly path?: string;
  /** serve TLS; `clientCa` requires a client certificate signed by it; `h2` also offers HTTP/2 */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly clientCa?: string;
    readonly h2?: boolean;
    /** e.g. 'TLSv1.2' to test a TLS 1.2 server */
    readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  };
}

export interface RecordedHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bodyBytes: number;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly requests: RecordedHttpRequest[];
  close(): Promise<void>;
}

export async function startHttpServer(o: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const requests: RecordedHttpRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, headers: { ...req.headers }, bodyBytes: bytes });
      const answer = (): void => {
        if ((req.url ?? '') !== (o.path ?? '/v1/traces')) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('404 page not found\n');
          return;
        }
        if (o.requiredToken !== undefined && req.headers.authorization !== `Bearer ${o.requiredToken}`) {
          res.writeHead(401, { 'content-type': 'text/plain' });
          res.end('unauthorized\n');
          return;
        }
        const status = o.status ?? 200;
        const headers: Record<string, string> = { 'content-type': status < 300 ? 'application/x-protobuf' : 'text/plain' };
        if (o.retryAfter) headers['retry-after'] = o.retryAfter;
        res.writeHead(status, headers);
        res.end(o.body ?? '');
      };
      if (o.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, o.delayMs);
        timers.add(t);
      } else answer();
    });
  };
  const t = o.tls;
  const tlsOptions = t
    ? {
        cert: t.cert,
        key: t.key,
        ca: t.clientCa,
        requestCert: t.clientCa !== undefined,
        rejectUnauthorized: t.clientCa !== undefined,
        maxVersion: t.maxVersion,
      }
    : undefined;
  const server = t?.h2
    ? createSecureServer({ ...tlsOptions, allowHTTP1: true }, handle)
    : tlsOptions
      ? createHttps(tlsOptions, handle)
      : createHttp(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A refused client certificate or a plaintext client is the client's failure, not the server's;
  // malformed requests get Node's own 400 answer, as a real HTTP/1.1 server gives.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const tm of timers) clearTimeout(tm);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
