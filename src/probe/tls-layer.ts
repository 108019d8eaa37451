import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { PROTOCOLS } from '../config/protocols.js';
import { errorCode, NO_APPLICATION_PROTOCOL } from './error-code.js';
import { clientCertRefused } from './second-handshake.js';
import { fail, OBSERVED, type Layer } from './layer.js';
import type { ProbeRun } from './probe-run.js';
import { servedChain } from './served-chain.js';
import { settle } from './settle.js';

const DAY_MS = 86_400_000;
const ignore = (): void => {};
const noIdentityCheck = (): undefined => undefined;
const noDetail = (): object => ({});

/** Go's crypto/x509 name rules: SANs only (no Common Name), a wildcard only as a whole leftmost label. */
const GO_NAME_RULES = { subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false, singleLabelSubdomains: false } as const;

/** Whether the certificate covers `name` as the collector's Go TLS client checks it. */
export function coversName(leaf: X509Certificate, name: string): boolean {
  const bare = name.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0) return leaf.checkIP(bare) !== undefined;
  return leaf.checkHost(bare.replace(/\.$/, ''), GO_NAME_RULES) !== undefined;
}

/**
 * The TLS handshake over the probe's fresh connection, with the exporter's CA, client certificate,
 * server name and minimum version. Verification is done here after the handshake (rather than by
 * rejectUnauthorized) so the served certificate can be shown in every message. Records version,
 * ALPN and the earliest expiry in the chain, and warns when it is within the expiry threshold.
 */
export const tlsLayer: Layer = {
  name: 'tls',
  phase: 'tls_seconds',
  waitsFor: 'the TLS handshake',
  skip: (run) => !run.prep.endpoint.tls,
  async run(run) {
    const t = run.prep.tls!;
    const socket = run.socket!;
    const tlsSocket = tlsConnect({
      socket,
      secureContext: t.secureContext,
      servername: t.servername,
      host: t.checkName,
      ALPNProtocols: t.alpn as string[],
      rejectUnauthorized: false,
      // verify() checks the name, with Go's rules rather than Node's
      checkServerIdentity: noIdentityCheck,
    });
    // tls.connect reads the whole served chain with getPeerCertificate(true), every field and
    // fingerprint of every certificate, only to hand it to checkServerIdentity: the largest single
    // cost of a TLS probe, for a check done in verify() instead. Until the handshake ends, that read
    // answers with nothing; the socket's own method is back once it has.
    Object.defineProperty(tlsSocket, 'getPeerCertificate', { value: noDetail, configurable: true, writable: true });
    tlsSocket.on('error', ignore);
    run.tlsSocket = tlsSocket;
    try {
      await handshake(tlsSocket, run.signal);
    } catch (err) {
      const code = errorCode(err);
      if ((code === 'ECONNRESET' || code === 'EPIPE') && (await clientCertRefused(run))) {
        return fail('tls', OBSERVED.clientCertRefused, { detail: `the server dropped the handshake (${code})` }, err);
      }
      if (code === NO_APPLICATION_PROTOCOL && PROTOCOLS[run.prep.spec.protocol].requiresAlpnH2) {
        const detail = 'it refused HTTP/2 in the TLS handshake (alert no_application_protocol to ALPN "h2"), and gRPC needs HTTP/2';
        return fail('tls', code, { detail }, err);
      }
      return fail('tls', code, {}, err);
    } finally {
      delete (tlsSocket as { getPeerCertificate?: unknown }).getPeerCertificate;
    }
    return verify(run, tlsSocket);
  },
};

function handshake(tlsSocket: TLSSocket, signal: AbortSignal): Promise<void> {
  return settle<void>(signal, (resolve, reject) => {
    const onSecure = (): void => resolve();
    const onError = (err: Error): void => reject(err);
    tlsSocket.once('secureConnect', onSecure);
    tlsSocket.once('error', onError);
    return () => {
      tlsSocket.removeListener('secureConnect', onSecure);
      tlsSocket.removeListener('error', onError);
    };
  });
}

function verify(run: ProbeRun, tlsSocket: TLSSocket) {
  const t = run.prep.tls!;
  const leaf = tlsSocket.getPeerX509Certificate();
  const chain = servedChain(leaf);
  run.tls = {
    version: tlsSocket.getProtocol() ?? null,
    alpn: tlsSocket.alpnProtocol || null,
    not_after: chain && Number.isFinite(chain.earliestNotAfterMs) ? new Date(chain.earliestNotAfterMs).toISOString() : null,
  };
  if (chain) {
    run.facts.subject = chain.subject;
    run.facts.issuer = chain.issuer;
    run.facts.not_after = chain.notAfter;
    run.facts.not_before = chain.notBefore;
    run.facts.san = chain.san;
  }
  run.facts.server_name = t.checkName;
  if (t.rejectUnauthorized && !tlsSocket.authorized) {
    const reason = tlsSocket.authorizationError as unknown;
    const code = typeof reason === 'string' ? reason : errorCode(reason);
    return fail('tls', code);
  }
  if (t.rejectUnauthorized && leaf && !coversName(leaf, t.checkName)) return fail('tls', 'ERR_TLS_CERT_ALTNAME_INVALID');
  // grpc-go (the collector's gRPC client) fails a handshake that did not select "h2", unless the
  // collector runs with GRPC_ENFORCE_ALPN_ENABLED=false (any case), as grpc-go reads it
  const enforceAlpn = (run.ctx.env['GRPC_ENFORCE_ALPN_ENABLED'] ?? '').toLowerCase() !== 'false';
  if (PROTOCOLS[run.prep.spec.protocol].requiresAlpnH2 && enforceAlpn && tlsSocket.alpnProtocol !== 'h2') {
    const detail =
      'the server selected no ALPN protocol, and gRPC needs "h2": the collector\'s gRPC client refuses such a server ' +
      '("credentials: cannot check peer: missing selected ALPN property"); enable HTTP/2 (ALPN h2) on the server or the TLS terminator in front of it';
    return fail('tls', OBSERVED.noAlpn, { detail });
  }
  if (chain && Number.isFinite(chain.earliestNotAfterMs)) {
    const now = run.ctx.now ? run.ctx.now() : Date.now();
    const left = chain.earliestNotAfterMs - now;
    if (left < run.ctx.certExpiryMs) {
      run.warnings.push({
        reason: 'tls_cert_expiring',
        facts: {
          expiring_subject: chain.earliestSubject,
          not_after: new Date(chain.earliestNotAfterMs).toISOString(),
          days_left: Math.max(0, Math.floor(left / DAY_MS)),
        },
      });
    }
  }
  return undefined;
}
