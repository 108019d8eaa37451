import type { ReasonSpec } from '../reason-spec.js';
import { answer, exporter, grpcCall, key, s, target } from './probe-wording.js';

/** The OTLP/gRPC service of each signal, as messages name it. */
const GRPC_SERVICE: Readonly<Record<string, string>> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};

/** Reasons of the `protocol` cause (docs/reasons.md): both ends speak, but not the same language. */
export const protocolReasons = {
  grpc_to_http_server: {
    cause: 'protocol',
    severity: 'critical',
    summary: 'A gRPC exporter reached a server that speaks HTTP/1.1 (or plain HTTP), not gRPC.',
    message: (f) =>
      `${exporter(f)} speaks OTLP/gRPC (HTTP/2) but ${target(f)} answered ${f.first_line ? `"${s(f.first_line)}"` : f.status ? answer(f) : 'as an HTTP/1.1 server'}${f.detail ? `: ${s(f.detail)}` : ''}`,
    fix: (f) =>
      `Point ${key(f, 'endpoint')} at the backend's OTLP/gRPC port (usually 4317), or use an otlp_http exporter for this HTTP endpoint (port 4318, /v1/traces)`,
  },
  http_to_grpc_server: {
    cause: 'protocol',
    severity: 'critical',
    summary: 'An HTTP exporter reached a server that speaks only HTTP/2 gRPC.',
    message: (f) =>
      `${exporter(f)} speaks OTLP/HTTP/1.1 but ${target(f)} answered with HTTP/2 frames${f.first_bytes ? ` (${s(f.first_bytes)})` : ''}: it is a gRPC server`,
    fix: (f) =>
      `Point ${key(f, 'endpoint')} at the backend's OTLP/HTTP port (usually 4318), or use an otlp_grpc exporter for this gRPC endpoint (port 4317)`,
  },
  unsupported_media_type: {
    cause: 'protocol',
    severity: 'critical',
    summary: 'The server does not accept application/x-protobuf (HTTP 415).',
    message: (f) => `${exporter(f)}: POST ${s(f.url)} with Content-Type application/x-protobuf answered ${answer(f)}`,
    fix: (f) =>
      `${key(f, 'endpoint')} reaches an HTTP server that is not an OTLP/HTTP receiver (or one that accepts only JSON): point it at the OTLP/HTTP receiver (port 4318), and check ${key(f, 'encoding')} and ${key(f, 'compression')} against what the backend accepts`,
  },
  grpc_unimplemented: {
    cause: 'protocol',
    severity: 'critical',
    summary: 'The gRPC server does not implement the OTLP service of the probed signal.',
    message: (f) =>
      `${exporter(f)}: the gRPC server at ${target(f)} does not implement ${GRPC_SERVICE[s(f.signal, 'traces')] ?? `the OTLP ${s(f.signal)} service`}/Export: ${answer(f)}`,
    fix: (f) =>
      `${key(f, 'endpoint')} reaches a gRPC server that is not an OTLP receiver (e.g. another service's port): point it at the backend's OTLP/gRPC port (usually 4317), or enable the OTLP receiver there`,
  },
  bad_request: {
    cause: 'protocol',
    severity: 'critical',
    summary: 'The server rejected an empty OTLP export as malformed (HTTP 400).',
    message: (f) =>
      `${exporter(f)}: ${grpcCall(f) ?? `POST ${s(f.url)}`} was rejected as malformed: ${answer(f)}${f.body ? `: "${s(f.body)}"` : ''}`,
    fix: (f) =>
      `The server at ${s(f.endpoint)} does not take OTLP/protobuf at that URL: check that ${key(f, 'endpoint')} is an OTLP receiver and that ${key(f, 'encoding')}, ${key(f, 'compression')} and ${key(f, 'headers')} match what it expects`,
  },
  unexpected_answer: {
    cause: 'protocol',
    severity: 'critical',
    summary: 'The server answered bytes that are neither HTTP/1.1, HTTP/2 nor TLS.',
    message: (f) =>
      `${exporter(f)}: ${target(f)} answered bytes that are neither HTTP/1.1, HTTP/2 nor TLS: ${s(f.first_bytes)}`,
    fix: (f) =>
      `${key(f, 'endpoint')} reaches a service that does not speak OTLP (a database, SSH, another protocol): point it at the backend's OTLP port (4317 gRPC, 4318 HTTP)`,
  },
} satisfies Record<string, ReasonSpec>;
