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

/** The layers of a probe per exporter kind, in order; the first that fails ends the probe. */
export const LAYERS: Readonly<Record<ExporterProtocol, readonly Layer[]>> = Object.freeze({
  grpc: [tokenLayer, proxyLayer, dnsLayer, connectLayer, tlsLayer, grpcPrefaceLayer, grpcExportLayer],
  http: [tokenLayer, proxyLayer, dnsLayer, connectLayer, tlsLayer, httpRequestLayer],
});
