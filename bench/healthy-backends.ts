import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createH2c, createSecureServer as createH2, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Server, Socket } from 'node:net';
import { bytesField, varintField } from '../test/helpers/protobuf-wire.js';

/**
 * OTLP backends on 127.0.0.1 that are healthy the way real ones are: they may take their time,
 * may check a header, and may now and then answer a retryable error that the collector's retry
 * recovers from. The probe's empty export is always answered at once (and never fails), so only
 * the collector's real batches see the delay and the errors.
 *
 * - `delayMs`: every non-empty batch is answered after a delay drawn evenly from [min, max]
 * - `failEvery`: every n-th non-empty batch gets HTTP 503 / gRPC UNAVAILABLE (retryable)
 * - `exhaustedBatches`: the first n non-empty batches get gRPC RESOURCE_EXHAUSTED with a RetryInfo
 *   (retryable in the collector) or HTTP 429 with Retry-After; the later ones pass
 * - `requiredHeader`: a batch or probe without it gets 401 / UNAUTHENTICATED
 *
 * Lifecycle: start, `close()` at the end.
 */
export interface HealthyBackendOptions {
  readonly protocol: 'grpc' | 'http';
  /** serve TLS with this certificate (PEM) */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly delayMs?: readonly [number, number];
  readonly failEvery?: number;
  readonly exhaustedBatches?: number;
  /** the seconds of the RetryInfo / Retry-After sent with exhaustedBatches (default 1) */
  readonly retryAfterSeconds?: number;
  readonly requiredHeader?: { readonly name: string; readonly value: string };
}

export interface HealthyBackendCounts {
  /** non-empty batches answered OK */
  readonly accepted: number;
  /** non-empty batches answered with a retryable error */
  readonly retryable: number;
  /** empty exports (otel-sentinel's probes) */
  readonly empty: number;
  /** requests refused for a missing header */
  readonly unauthorized: number;
}

export interface HealthyBackend {
  /** the exporter's `endpoint`: host:port for gRPC, a base URL for HTTP */
  readonly endpoint: string;
  counts(): HealthyBackendCounts;
  close(): Promise<void>;
}

const TRACE_SERVICE = /^\/opentelemetry\.proto\.collector\.(trace|metrics|logs)\.v1\.(Trace|Metrics|Logs)Service\/Export$/;
const HTTP_PATH = /^\/v1\/(traces|metrics|logs)$/;

/**
 * `grpc-status-details-bin`: a google.rpc.Status with one google.rpc.RetryInfo detail, what a
 * backend sends to say "retry after this delay" (base64, as gRPC carries binary metadata)
 */
export function retryInfoStatus(code: number, message: string, retryDelaySeconds: number): string {
  const duration = varintField(1, retryDelaySeconds);
  const retryInfo = bytesField(1, duration);
  const any = Buffer.concat([bytesField(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo')), bytesField(2, retryInfo)]);
  const status = Buffer.concat([varintField(1, code), bytesField(2, Buffer.from(message)), bytesField(3, any)]);
  return status.toString('base64');
}

type Answer = 'ok' | 'unavailable' | 'exhausted' | 'unauthenticated' | 'not_found';

export async function startHealthyBackend(o: HealthyBackendOptions): Promise<HealthyBackend> {
  let batches = 0;
  let accepted = 0;
  let retryable = 0;
  let empty = 0;
  let unauthorized = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const retryAfter = o.retryAfterSeconds ?? 1;

  const answerFor = (bytes: number, pathOk: boolean, header: string | undefined): Answer => {
    if (!pathOk) return 'not_found';
    if (o.requiredHeader && header !== o.requiredHeader.value) {
      unauthorized++;
      return 'unauthenticated';
    }
    if (bytes === 0) {
      empty++;
      return 'ok';
    }
    batches++;
    if (o.exhaustedBatches !== undefined && batches <= o.exhaustedBatches) {
      retryable++;
      return 'exhausted';
    }
    if (o.failEvery !== undefined && batches % o.failEvery === 0) {
      retryable++;
      return 'unavailable';
    }
    accepted++;
    return 'ok';
  };
  /** run `f` after the batch's delay (at once for an empty export or an error) */
  const later = (bytes: number, answer: Answer, f: () => void): void => {
    if (bytes === 0 || answer !== 'ok' || !o.delayMs) return f();
    const [min, max] = o.delayMs;
    const timer = setTimeout(() => {
      timers.delete(timer);
      f();
    }, min + Math.random() * (max - min));
    timers.add(timer);
  };
  const headerOf = (h: IncomingHttpHeaders): string | undefined => {
    if (!o.requiredHeader) return undefined;
    const v = h[o.requiredHeader.name.toLowerCase()];
    return typeof v === 'string' ? v : undefined;
  };

  const onHttp = (req: IncomingMessage, res: ServerResponse): void => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      const answer = answerFor(bytes, req.method === 'POST' && HTTP_PATH.test(req.url ?? ''), headerOf(req.headers));
      later(bytes, answer, () => {
        if (res.destroyed) return;
        if (answer === 'ok') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        else if (answer === 'unavailable') res.writeHead(503, { 'content-type': 'text/plain' }).end('try again\n');
        else if (answer === 'exhausted') res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(retryAfter) }).end('slow down\n');
        else if (answer === 'unauthenticated') res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthenticated\n');
        else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      });
    });
  };

  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    stream.on('error', () => {});
    let bytes = 0;
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      // the gRPC frame: 5 bytes of header, then the message
      const message = Math.max(0, bytes - 5);
      const answer = answerFor(message, TRACE_SERVICE.test(String(headers[':path'])), headerOf(headers));
      later(message, answer, () => {
        if (stream.destroyed || stream.closed) return;
        if (answer === 'ok') {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(Buffer.from([0, 0, 0, 0, 0]));
          return;
        }
        const trailers: Record<string, string> = { ':status': '200', 'content-type': 'application/grpc' };
        if (answer === 'unavailable') Object.assign(trailers, { 'grpc-status': '14', 'grpc-message': 'try again' });
        else if (answer === 'unauthenticated') Object.assign(trailers, { 'grpc-status': '16', 'grpc-message': 'unauthenticated' });
        else if (answer === 'not_found') Object.assign(trailers, { 'grpc-status': '12', 'grpc-message': 'unknown service' });
        else {
          Object.assign(trailers, {
            'grpc-status': '8',
            'grpc-message': 'quota exceeded',
            'grpc-status-details-bin': retryInfoStatus(8, 'quota exceeded', retryAfter),
          });
        }
        stream.respond(trailers, { endStream: true });
      });
    });
  };

  const tls = o.tls ? { cert: o.tls.cert, key: o.tls.key } : undefined;
  let server: Server;
  if (o.protocol === 'http') server = tls ? createHttps(tls, onHttp) : createHttp(onHttp);
  else {
    const s = tls ? createH2({ ...tls, ALPNProtocols: ['h2'] }) : createH2c();
    s.on('stream', onStream);
    s.on('sessionError', () => {});
    server = s as unknown as Server;
  }
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  return {
    endpoint: o.protocol === 'grpc' ? `127.0.0.1:${port}` : `${scheme}://127.0.0.1:${port}`,
    counts: () => ({ accepted, retryable, empty, unauthorized }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
