import { randomBytes } from 'node:crypto';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { bytesField, fixed64Field, varintField } from '../protobuf-wire.js';

/**
 * An ExportTraceServiceRequest with one resource (service.name = `service`), one scope and
 * `spans` spans of one fresh trace, each 1 ms long and ending now.
 */
export function encodeSpans(spans: number, service = 'otel-sentinel-load'): Buffer {
  const traceId = randomBytes(16);
  const end = BigInt(Date.now()) * 1_000_000n;
  const list: Buffer[] = [];
  for (let i = 0; i < spans; i++) {
    list.push(
      bytesField(
        2,
        Buffer.concat([
          bytesField(1, traceId),
          bytesField(2, randomBytes(8)),
          bytesField(5, Buffer.from(`load-${i}`)),
          varintField(6, 1),
          fixed64Field(7, end - 1_000_000n),
          fixed64Field(8, end),
        ]),
      ),
    );
  }
  const attr = bytesField(1, Buffer.concat([bytesField(1, Buffer.from('service.name')), bytesField(2, bytesField(1, Buffer.from(service)))]));
  const resource = bytesField(1, attr);
  const scopeSpans = bytesField(2, Buffer.concat([bytesField(1, bytesField(1, Buffer.from('otel-sentinel-load'))), ...list]));
  return bytesField(1, Buffer.concat([resource, scopeSpans]));
}

export interface SpanLoadOptions {
  /** the collector's OTLP/gRPC receiver on 127.0.0.1 */
  readonly port: number;
  /** spans per export request (default 10) */
  readonly spansPerRequest?: number;
  /** one request every intervalMs (default 100) */
  readonly intervalMs?: number;
}

/**
 * Sends spans at a fixed rate into the collector's OTLP/gRPC receiver (grpc-js, hand-encoded
 * protobuf), one request at a time: a request still in flight when the next is due skips that
 * tick. Lifecycle: `startSpanLoad()`, `stop()` in a teardown.
 */
export interface SpanLoad {
  /** spans the receiver accepted */
  accepted(): number;
  /** spans it refused (or requests that failed) */
  refused(): number;
  stop(): Promise<void>;
}

const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export function startSpanLoad(o: SpanLoadOptions): SpanLoad {
  const client = new Client(`127.0.0.1:${o.port}`, credentials.createInsecure());
  const per = o.spansPerRequest ?? 10;
  let accepted = 0;
  let refused = 0;
  let inFlight = false;
  const send = (): void => {
    if (inFlight) return;
    inFlight = true;
    client.makeUnaryRequest(
      PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      encodeSpans(per),
      new Metadata(),
      { deadline: Date.now() + 5_000 },
      (err) => {
        inFlight = false;
        if (err) refused += per;
        else accepted += per;
      },
    );
  };
  const timer = setInterval(send, o.intervalMs ?? 100);
  send();
  return {
    accepted: () => accepted,
    refused: () => refused,
    stop: async () => {
      clearInterval(timer);
      client.close();
    },
  };
}
