import { PROTOCOLS } from '../config/protocols.js';
import { envProxy } from './env-proxy.js';
import { fail, type Layer } from './layer.js';

/**
 * Chooses how to reach the endpoint: the exporter's proxy_url (HTTP exporters), else the proxy the
 * collector's environment names for this target, else direct. gRPC follows grpc-go, which asks for
 * the proxy of an https:// URL whatever the TLS setting, so HTTPS_PROXY applies to it.
 */
export const proxyLayer: Layer = {
  name: 'proxy',
  phase: null,
  waitsFor: 'the proxy',
  // grpc-go dials a unix socket directly, whatever the proxy variables say
  skip: (run) => run.prep.endpoint.socketPath !== undefined,
  async run(run) {
    const { prep } = run;
    const ep = prep.endpoint;
    const traits = PROTOCOLS[prep.spec.protocol];
    const proxy = prep.fixedProxy ?? envProxy(run.ctx.env).proxyFor(traits.proxyAlwaysTunnels || ep.tls ? 'https' : 'http', ep.host, ep.port);
    run.proxy = proxy;
    if (proxy === null) return undefined;
    run.facts.proxy = proxy.display;
    run.facts.proxy_source = proxy.source;
    // plaintext HTTP goes to the proxy in absolute form; TLS and gRPC tunnel with CONNECT
    run.facts.proxy_mode = traits.forwardsPlaintext && !ep.tls ? 'forward' : 'tunnel';
    if (proxy.scheme !== 'http') {
      return fail('proxy', 'PROXY_SCHEME', {
        detail: `${proxy.scheme}:// proxies are not probed by otel-sentinel; only http:// proxies are`,
      });
    }
    return undefined;
  },
};
