/**
 * The scenarios of the agreement suite: one exporter of the real collector each, aimed at a
 * loopback backend with one fault (or none), for both protocols, in plaintext and TLS.
 */
import { testCerts } from '../certs.js';
import { closedPort, startBacklogFullListener, startGrpcServer, startHttpServer, startSilentServer } from '../servers.js';
import { startFaultBackend, type FaultBackend } from './fault-backend.js';

export type Protocol = 'grpc' | 'http';

/** the token the wrong_token exporters send (a secret: never to be shown) */
export const WRONG_TOKEN = 'not-the-token-4d1f';

export interface Scenario {
  /** the exporter ID in the collector config */
  readonly id: string;
  readonly protocol: Protocol;
  readonly tls: boolean;
  /** what is wrong, in words (the table's first column) */
  readonly fault: string;
  /** the cause otel-sentinel is expected to name; null: healthy */
  readonly cause: string | null;
  readonly settings: Record<string, unknown>;
}

const FAULTS = [
  'healthy',
  'refused',
  'blackholed',
  'unavailable',
  'throttled',
  'no_token',
  'wrong_token',
  'never_answers',
  'other_protocol',
  'other_protocol_h2',
  'no_alpn',
  'wrong_path',
  'expired_cert',
  'unknown_ca',
  'wrong_host',
  'client_cert_required',
] as const;
export type Fault = (typeof FAULTS)[number];
const TLS_ONLY: ReadonlySet<Fault> = new Set(['expired_cert', 'unknown_ca', 'wrong_host', 'client_cert_required', 'other_protocol_h2', 'no_alpn']);
/** faults of one protocol only */
const ONLY: Partial<Record<Fault, Protocol>> = { other_protocol_h2: 'grpc', no_alpn: 'grpc' };

export const FAULT_WORDS: Record<Fault, string> = {
  healthy: 'healthy',
  refused: 'connection refused',
  blackholed: 'blackholed port (connect never completes)',
  unavailable: '503 / UNAVAILABLE',
  throttled: '429 / RESOURCE_EXHAUSTED',
  no_token: '401 / UNAUTHENTICATED (no token)',
  wrong_token: '403 / PERMISSION_DENIED (wrong token)',
  never_answers: 'accepts, never answers',
  other_protocol: 'the other protocol\'s port',
  other_protocol_h2: 'an OTLP/HTTP port that also speaks HTTP/2 (as Go servers do)',
  no_alpn: 'a gRPC server that does not negotiate HTTP/2 in the TLS handshake (no ALPN)',
  wrong_path: 'wrong URL path: 404 / UNIMPLEMENTED',
  expired_cert: 'expired certificate',
  unknown_ca: 'certificate of an unknown CA',
  wrong_host: 'certificate for another host name',
  client_cert_required: 'mTLS, no client certificate',
};

const CAUSE: Record<Fault, string | null> = {
  healthy: null,
  refused: 'network',
  blackholed: 'network',
  unavailable: 'backend',
  throttled: 'backend',
  no_token: 'auth',
  wrong_token: 'auth',
  never_answers: 'backend',
  other_protocol: 'protocol',
  other_protocol_h2: 'protocol',
  no_alpn: 'tls',
  wrong_path: 'endpoint',
  expired_cert: 'tls',
  unknown_ca: 'tls',
  wrong_host: 'tls',
  client_cert_required: 'tls',
};

/** the exporter settings every scenario shares: short deadlines, so a failed send is counted soon */
export const FAST_FAILURE = {
  timeout: '2s',
  retry_on_failure: { enabled: true, initial_interval: '100ms', max_interval: '500ms', max_elapsed_time: '2s' },
};

export interface ScenarioSet {
  readonly scenarios: readonly Scenario[];
  close(): Promise<void>;
}

/** Starts every backend the scenarios need (shared where one serves several) and names the exporters. */
export async function startScenarios(): Promise<ScenarioSet> {
  const c = testCerts();
  const closers: (() => Promise<void>)[] = [];
  const keep = <T extends { close(): Promise<void> }>(x: T): T => {
    closers.push(() => x.close());
    return x;
  };
  try {
    const refused = await closedPort();
    const blackhole = keep(await startBacklogFullListener());
    const silent = keep(await startSilentServer());
    const TOKEN = 'agreement-token';
    const good = { cert: c.server.cert, key: c.server.key };
    const cert: Record<'good' | 'expired' | 'untrusted' | 'wrongHost', { cert: string; key: string }> = {
      good,
      expired: { cert: c.expired.cert, key: c.expired.key },
      untrusted: { cert: c.untrusted.cert, key: c.untrusted.key },
      wrongHost: { cert: c.wrongHost.cert, key: c.wrongHost.key },
    };
    const backends = new Map<string, FaultBackend>();
    const backend = async (protocol: Protocol, tls: keyof typeof cert | null, opts: Partial<Parameters<typeof startFaultBackend>[0]> = {}): Promise<FaultBackend> => {
      const key = `${protocol}|${tls}|${JSON.stringify(opts)}`;
      let b = backends.get(key);
      if (!b) {
        b = keep(await startFaultBackend({ protocol, ...(tls ? { tls: cert[tls] } : {}), ...opts }));
        backends.set(key, b);
      }
      return b;
    };
    const grpcJs = new Map<boolean, number>();
    const realGrpcPort = async (tls: boolean): Promise<number> => {
      let p = grpcJs.get(tls);
      if (p === undefined) {
        p = keep(await startGrpcServer(tls ? { tls: good } : {})).port;
        grpcJs.set(tls, p);
      }
      return p;
    };

    let h2Http: number | undefined;
    const h2HttpPort = async (): Promise<number> => {
      h2Http ??= keep(await startHttpServer({ tls: { ...good, h2: true } })).port;
      return h2Http;
    };

    const scenarios: Scenario[] = [];
    for (const protocol of ['grpc', 'http'] as const) {
      for (const tls of [false, true]) {
        for (const fault of FAULTS) {
          if (TLS_ONLY.has(fault) && !tls) continue;
          if (ONLY[fault] !== undefined && ONLY[fault] !== protocol) continue;
          const scheme = tls ? 'https' : 'http';
          const hostPort = async (): Promise<string> => {
            switch (fault) {
              case 'refused':
                return `127.0.0.1:${refused}`;
              case 'blackholed':
                return `127.0.0.1:${blackhole.port}`;
              case 'never_answers':
                return `127.0.0.1:${silent.port}`;
              case 'other_protocol':
                return protocol === 'grpc'
                  ? `127.0.0.1:${(await backend('http', tls ? 'good' : null)).port}`
                  : `127.0.0.1:${await realGrpcPort(tls)}`;
              case 'no_alpn':
                return `127.0.0.1:${(await backend(protocol, 'good', { alpn: false })).port}`;
              case 'other_protocol_h2':
                return `127.0.0.1:${(await h2HttpPort()).toString()}`;
              case 'unavailable':
              case 'throttled':
                return `127.0.0.1:${(await backend(protocol, tls ? 'good' : null, { mode: fault })).port}`;
              case 'no_token':
              case 'wrong_token':
                return `127.0.0.1:${(await backend(protocol, tls ? 'good' : null, { requiredToken: TOKEN })).port}`;
              case 'wrong_path':
                return `127.0.0.1:${(await backend(protocol, tls ? 'good' : null, protocol === 'grpc' ? { mode: 'not_found' } : {})).port}`;
              case 'expired_cert':
                return `127.0.0.1:${(await backend(protocol, 'expired')).port}`;
              case 'unknown_ca':
                return `127.0.0.1:${(await backend(protocol, 'untrusted')).port}`;
              case 'wrong_host':
                return `127.0.0.1:${(await backend(protocol, 'wrongHost')).port}`;
              case 'client_cert_required':
                return `127.0.0.1:${(await backend(protocol, null, { tls: { ...good, clientCa: c.ca.cert } })).port}`;
              case 'healthy':
                return `127.0.0.1:${(await backend(protocol, tls ? 'good' : null)).port}`;
            }
          };
          const hp = await hostPort();
          const settings: Record<string, unknown> = { ...FAST_FAILURE };
          if (protocol === 'grpc') settings['endpoint'] = hp;
          else settings['endpoint'] = `${scheme}://${hp}`;
          if (protocol === 'http' && fault === 'wrong_path') settings['traces_endpoint'] = `${scheme}://${hp}/v1/trace`;
          settings['tls'] = tls ? { ca_file: c.ca.certFile } : protocol === 'grpc' ? { insecure: true } : {};
          if (fault === 'wrong_token') settings['headers'] = { authorization: `Bearer ${WRONG_TOKEN}` };
          // today's type names, and the deprecated aliases for a few plaintext ones
          const alias = !tls && (fault === 'healthy' || fault === 'unavailable' || fault === 'refused');
          const type = protocol === 'grpc' ? (alias ? 'otlp' : 'otlp_grpc') : alias ? 'otlphttp' : 'otlp_http';
          scenarios.push({
            id: `${type}/${fault.replace(/_/g, '-')}${tls ? '-tls' : ''}`,
            protocol,
            tls,
            fault: FAULT_WORDS[fault],
            cause: protocol === 'grpc' && fault === 'wrong_path' ? 'protocol' : CAUSE[fault],
            settings,
          });
        }
      }
    }
    return {
      scenarios,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close();
    throw err;
  }
}
