import type { BenchCerts } from './bench-certs.js';
import type { BenchExporter } from './sentinel-process.js';
import type { TargetPorts } from './target-protocol.js';

/** One kind of probe, as each tool is set up to do it against the same target. */
export interface ProbeKind {
  readonly id: string;
  readonly label: string;
  readonly mode: 'export' | 'handshake';
  /** the i-th otel-sentinel exporter */
  exporter(i: number): BenchExporter;
  /** what blackbox_exporter is asked: target and module */
  readonly blackbox: { readonly target: string; readonly module: string };
  /** what the two tools actually do differently, for the report */
  readonly note: string;
}

export function probeKinds(ports: TargetPorts, certs: BenchCerts): ProbeKind[] {
  const ca = { ca_file: certs.caFile };
  const plain = { insecure: true };
  return [
    {
      id: 'tcp',
      label: 'TCP connect',
      mode: 'handshake',
      exporter: (i) => ({ id: `otlp/tcp-${i}`, endpoint: `127.0.0.1:${ports.tcp}`, tls: plain }),
      blackbox: { target: `127.0.0.1:${ports.tcp}`, module: 'tcp_connect' },
      note: 'otel-sentinel: handshake mode, plaintext gRPC exporter; blackbox: tcp prober',
    },
    {
      id: 'http',
      label: 'HTTP POST',
      mode: 'export',
      exporter: (i) => ({ id: `otlphttp/http-${i}`, endpoint: `http://127.0.0.1:${ports.http}` }),
      blackbox: { target: `http://127.0.0.1:${ports.http}/v1/traces`, module: 'http_post' },
      note: 'both: fresh connection, POST /v1/traces, empty application/x-protobuf body, 200',
    },
    {
      id: 'tls',
      label: 'TLS handshake',
      mode: 'handshake',
      exporter: (i) => ({ id: `otlp/tls-${i}`, endpoint: `127.0.0.1:${ports.grpcTls}`, tls: ca }),
      blackbox: { target: `127.0.0.1:${ports.grpcTls}`, module: 'tls_connect' },
      note: 'otel-sentinel: handshake mode (TCP + TLS, chain verified, served chain read); blackbox: tcp prober with tls: true',
    },
    {
      id: 'https',
      label: 'HTTPS POST',
      mode: 'export',
      exporter: (i) => ({ id: `otlphttp/https-${i}`, endpoint: `https://127.0.0.1:${ports.https}`, tls: ca }),
      blackbox: { target: `https://127.0.0.1:${ports.https}/v1/traces`, module: 'http_post' },
      note: 'both: fresh TLS connection, POST /v1/traces, 200',
    },
    {
      id: 'grpc',
      label: 'gRPC (plaintext)',
      mode: 'export',
      exporter: (i) => ({ id: `otlp/grpc-${i}`, endpoint: `127.0.0.1:${ports.grpc}`, tls: plain }),
      blackbox: { target: `127.0.0.1:${ports.grpc}`, module: 'grpc_plain' },
      note: 'otel-sentinel: fresh TCP + HTTP/2 greeting, then TraceService/Export on a kept channel; blackbox: new channel per probe, grpc.health.v1.Health/Check',
    },
    {
      id: 'grpc_tls',
      label: 'gRPC over TLS',
      mode: 'export',
      exporter: (i) => ({ id: `otlp/grpctls-${i}`, endpoint: `127.0.0.1:${ports.grpcTls}`, tls: ca }),
      blackbox: { target: `127.0.0.1:${ports.grpcTls}`, module: 'grpc_tls' },
      note: 'otel-sentinel: fresh TCP + TLS + HTTP/2 greeting, then Export on a kept TLS channel; blackbox: new TLS channel per probe, Health/Check',
    },
  ];
}

/**
 * A realistic mix for the scale and endpoint parts: a quarter each of plaintext gRPC, gRPC over
 * TLS, OTLP/HTTP and OTLP/HTTPS exporters, all in export mode.
 */
export function mixedExporters(n: number, kinds: readonly ProbeKind[]): BenchExporter[] {
  return mixedKinds(n, kinds).map((k, i) => k.exporter(i));
}

/** The same mix as blackbox_exporter is asked for it: the i-th exporter's target and module. */
export function mixedBlackboxProbes(n: number, kinds: readonly ProbeKind[]): ProbeKind['blackbox'][] {
  return mixedKinds(n, kinds).map((k) => k.blackbox);
}

function mixedKinds(n: number, kinds: readonly ProbeKind[]): ProbeKind[] {
  const exportKinds = ['grpc', 'grpc_tls', 'http', 'https'].map((id) => kinds.find((k) => k.id === id)!);
  return Array.from({ length: n }, (_, i) => exportKinds[i % exportKinds.length]!);
}
