import type { ExporterProtocol } from '../config/exporter-spec.js';
import { connectLayer } from './connect-layer.js';
import { dnsLayer } from './dns-layer.js';
import { grpcExportLayer } from './grpc-export-layer.js';
import { grpcPrefaceLayer } from './grpc-preface-layer.js';
import { httpRequestLayer } from './http-request-layer.js';
import type { Layer } from './layer.js';
import { proxyLayer } from './proxy-layer.js';
import { tlsLayer } from './tls-layer.js';
import { tokenLayer } from './token-layer.js';

/**
 * An exporter that is not OTLP goes through the environment's proxy only when it is an HTTP client
 * (a URL endpoint, confighttp); Kafka and Carbon dial directly, and gRPC ones as grpc-go does.
 */
const transportProxyLayer: Layer = {
  ...proxyLayer,
  skip: (run) => run.prep.spec.endpointForm === 'host_port' || proxyLayer.skip(run),
};

/** The layers of a probe per exporter kind, in order; the first that fails ends the probe. */
export const LAYERS: Readonly<Record<ExporterProtocol, readonly Layer[]>> = Object.freeze({
  grpc: [tokenLayer, proxyLayer, dnsLayer, connectLayer, tlsLayer, grpcPrefaceLayer, grpcExportLayer],
  http: [tokenLayer, proxyLayer, dnsLayer, connectLayer, tlsLayer, httpRequestLayer],
  // not OTLP: the transport only (the exporter's own protocol is not spoken)
  tcp: [transportProxyLayer, dnsLayer, connectLayer, tlsLayer],
  none: [],
});
