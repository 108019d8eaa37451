import type { X509Certificate } from 'node:crypto';
import { problem } from '../diagnose/catalogue.js';
import type { Problem } from '../diagnose/problem.js';
import type { Facts } from '../diagnose/reason-spec.js';
import { formatDuration } from './duration.js';
import { resolveEndpoint, signalOverride } from './endpoint.js';
import type { ExporterSpec } from './exporter-spec.js';
import { loadTlsMaterial } from './tls-material.js';

export interface StaticCheckContext {
  /** exporter name and key prefix, merged into every problem's facts */
  readonly where: Facts;
  /** now, in ms since the epoch */
  readonly now: number;
  /** thresholds.cert_expiry; 0 turns the expiring warning off */
  readonly certExpiryMs: number;
}

/** The key of the URL probed and its text as the user wrote it (for messages). */
export function endpointKeyOf(spec: ExporterSpec): { key: string; shown: string } {
  if (spec.protocol === 'tcp') return { key: spec.endpointKey ?? 'endpoint', shown: spec.endpoint };
  const o = spec.protocol === 'http' ? signalOverride(spec) : { key: '', value: undefined };
  return o.value ? { key: o.key, shown: o.value } : { key: 'endpoint', shown: spec.endpoint };
}

const shownEndpoint = (spec: ExporterSpec): string => endpointKeyOf(spec).shown;

function endpointProblems(spec: ExporterSpec, ctx: StaticCheckContext): Problem[] {
  const key = endpointKeyOf(spec).key;
  const r = resolveEndpoint(spec);
  if (!r.ok) return [problem(r.reason, { ...ctx.where, key, detail: r.detail })];
  const out: Problem[] = [];
  const facts = { ...ctx.where, endpoint: shownEndpoint(spec), port: r.endpoint.port };
  if (spec.protocol === 'grpc' && r.endpoint.port === 4318) out.push(problem('grpc_port_mismatch', facts));
  if (spec.protocol === 'http' && r.endpoint.port === 4317) out.push(problem('http_port_mismatch', facts));
  if (spec.tls.insecure && /^https:\/\//i.test(shownEndpoint(spec).trim())) {
    out.push(problem('insecure_with_https', { ...facts, ca: Boolean(spec.tls.caFile || spec.tls.caPem) }));
  }
  if (spec.protocol === 'http' && spec.tracesEndpoint && (spec.signal ?? 'traces') === 'traces') {
    const path = r.endpoint.path.split('?')[0] ?? '';
    if (!path.replace(/\/+$/, '').endsWith('/v1/traces')) {
      out.push(problem('traces_path_unusual', { ...ctx.where, traces_endpoint: spec.tracesEndpoint, path }));
    }
  }
  return out;
}

const commonName = (cert: X509Certificate): string => {
  const cn = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return cn ?? cert.subject.split('\n')[0] ?? 'without subject';
};

function tlsProblems(spec: ExporterSpec, ctx: StaticCheckContext): Problem[] {
  // configtls: insecure without a CA loads no TLS config at all, so no file is read.
  if (spec.tls.insecure && !spec.tls.caFile && !spec.tls.caPem) return [];
  const r = loadTlsMaterial(spec.tls);
  if (!r.ok) return [problem('tls_config_invalid', { ...ctx.where, key: r.key, detail: r.detail })];
  const chain = r.material.clientChain;
  if (chain.length === 0) return [];
  let first = chain[0]!;
  for (const c of chain) if (Date.parse(c.validTo) < Date.parse(first.validTo)) first = c;
  const notAfter = Date.parse(first.validTo);
  const fromPem = Boolean(spec.tls.certPem);
  const facts = {
    ...ctx.where,
    key: fromPem ? 'tls.cert_pem' : 'tls.cert_file',
    file: fromPem ? undefined : spec.tls.certFile,
    subject: commonName(first),
    not_after: new Date(notAfter).toISOString(),
  };
  if (notAfter <= ctx.now) return [problem('tls_client_cert_expired', facts)];
  if (ctx.certExpiryMs > 0 && notAfter - ctx.now < ctx.certExpiryMs) {
    return [
      problem('tls_client_cert_expiring', {
        ...facts,
        remaining: formatDuration(Math.floor((notAfter - ctx.now) / 60_000) * 60_000),
        threshold: formatDuration(ctx.certExpiryMs),
      }),
    ];
  }
  return [];
}

/**
 * Mistakes visible without probing (docs/reasons.md): endpoint form, OTLP port swapped, https with
 * insecure, unusual traces path, TLS files, client certificate expiry.
 */
export function staticProblems(spec: ExporterSpec, ctx: StaticCheckContext): Problem[] {
  return [...endpointProblems(spec, ctx), ...tlsProblems(spec, ctx)];
}
