/**
 * The floor under any Node.js prober of these targets: Node's own modules and nothing else (no
 * package, no config file, no metrics, no diagnosis) doing the daemon's probes, each on a fresh
 * connection: an OTLP/HTTP(S) POST of an empty body to /v1/traces, or a gRPC `Export` of an empty
 * request on a fresh HTTP/2 session (plaintext or TLS, the chain and name checked against the CA,
 * one TLS context per CA file). The bench runs it beside the daemon, with the same node and V8
 * options, to tell what Node.js itself costs from what otel-sentinel adds.
 *
 *   node dist/bench/node-floor.js '{"port":9000,"targets":[...],"intervalMs":15000}'
 *
 * `GET /readyz` answers 503 until every target has been probed once, then 200, or 500 naming the
 * targets that failed. With `intervalMs` it goes on probing each target once an interval, the
 * targets spread over it; `GET /stats` answers `{"probes":N,"failed":M}`.
 */
import { createRequire } from 'node:module';

/** One target, as the daemon's exporter would reach it. */
export interface FloorTarget {
  readonly kind: 'grpc' | 'http';
  /** `http(s)://host:port` for OTLP/HTTP, `host:port` for gRPC */
  readonly endpoint: string;
  /** a CA file: the connection is TLS and its chain is checked against it */
  readonly caFile?: string;
}

export interface FloorOptions {
  readonly port: number;
  readonly targets: readonly FloorTarget[];
  /** probe every target once an interval after the first round; without it, the first round only */
  readonly intervalMs?: number;
  /** V8 options set at start, as the daemon sets its heap options (`src/runtime/heap-tuning.ts`) */
  readonly v8Flags?: readonly string[];
}

const PROBE_TIMEOUT_MS = 5000;
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

function main(o: FloorOptions): void {
  // `require`, as the daemon does: an ES import of node:http also loads Node's bundled undici
  const require = createRequire(import.meta.url);
  const http = require('node:http') as typeof import('node:http');
  const https = require('node:https') as typeof import('node:https');
  const http2 = require('node:http2') as typeof import('node:http2');
  const tls = require('node:tls') as typeof import('node:tls');
  const fs = require('node:fs') as typeof import('node:fs');
  if (o.v8Flags?.length) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(o.v8Flags.join(' '));

  // one TLS context per CA file, shared by every connection that uses it, as the daemon does
  const contexts = new Map<string, import('node:tls').SecureContext>();
  const tlsOf = (t: FloorTarget): { secureContext?: import('node:tls').SecureContext } => {
    if (!t.caFile) return {};
    let secureContext = contexts.get(t.caFile);
    if (!secureContext) contexts.set(t.caFile, (secureContext = tls.createSecureContext({ ca: fs.readFileSync(t.caFile) })));
    return { secureContext };
  };

  function probeHttp(t: FloorTarget): Promise<string | null> {
    return new Promise((resolve) => {
      const url = new URL('/v1/traces', t.endpoint);
      const send = url.protocol === 'https:' ? https.request : http.request;
      const req = send(url, { method: 'POST', agent: false, timeout: PROBE_TIMEOUT_MS, headers: { 'content-type': 'application/x-protobuf', 'content-length': 0 }, ...tlsOf(t) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? null : `HTTP ${res.statusCode}`));
        res.on('error', (e) => resolve(e.message));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => resolve(e.message));
      req.end();
    });
  }

  function probeGrpc(t: FloorTarget): Promise<string | null> {
    return new Promise((resolve) => {
      let status: string | undefined;
      const session = http2.connect(`${t.caFile ? 'https' : 'http'}://${t.endpoint}`, tlsOf(t));
      const done = (err: string | null): void => {
        clearTimeout(timer);
        session.destroy();
        resolve(err);
      };
      const timer = setTimeout(() => done('timed out'), PROBE_TIMEOUT_MS);
      session.on('error', (e) => done(e.message));
      const stream = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' });
      stream.on('response', (h) => (status = (h['grpc-status'] as string | undefined) ?? status));
      stream.on('trailers', (h) => (status = (h['grpc-status'] as string | undefined) ?? status));
      stream.on('error', (e) => done(e.message));
      stream.on('close', () => done(status === '0' ? null : `grpc-status ${status ?? 'none'}`));
      stream.resume();
      // one gRPC message: not compressed, length 0 (an empty ExportTraceServiceRequest)
      stream.end(Buffer.alloc(5));
    });
  }

  const probe = (t: FloorTarget): Promise<string | null> => (t.kind === 'grpc' ? probeGrpc(t) : probeHttp(t));
  let probes = 0;
  let failed = 0;
  const count = async (t: FloorTarget): Promise<string | null> => {
    const err = await probe(t);
    probes++;
    if (err) failed++;
    return err;
  };

  let readiness: { status: number; body: string } = { status: 503, body: 'first round running' };
  http
    .createServer((req, res) => {
      const answer = req.url === '/stats' ? { status: 200, body: JSON.stringify({ probes, failed }) } : readiness;
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
    })
    .listen(o.port, '127.0.0.1', () => {
      void Promise.all(o.targets.map(count)).then((errs) => {
        const bad = o.targets.flatMap((t, i) => (errs[i] ? [`${t.endpoint}: ${errs[i]}`] : []));
        readiness = bad.length === 0 ? { status: 200, body: 'ok' } : { status: 500, body: bad.join('\n') };
        const every = o.intervalMs;
        if (every === undefined) return;
        o.targets.forEach((t, i) => {
          setTimeout(() => {
            void count(t);
            setInterval(() => void count(t), every);
          }, (every * i) / o.targets.length);
        });
      });
    });
}

main(JSON.parse(process.argv[2] ?? '{}') as FloorOptions);
