import type { X509Certificate } from 'node:crypto';
import { formatDuration } from '../config/duration.js';
import { endpointKeyOf, resolveEndpoint } from '../config/endpoint.js';
import type { ExporterSpec } from '../config/exporter-spec.js';
import { PROTOCOLS } from '../config/protocols.js';
import { loadTlsMaterial } from '../config/tls-material.js';
import { problem } from './catalogue.js';
import { problemOf, type Finding } from './finding.js';
import type { Problem } from './problem.js';
import type { Facts } from './reason-spec.js';
import { redact } from './redact.js';

export interface StaticCheckContext {
  /** exporter name and key prefix, merged into every problem's facts */
  readonly where: Facts;
  /** now, in ms since the epoch */
  readonly now: number;
  /** thresholds.cert_expiry; 0 turns the expiring warning off */
  readonly certExpiryMs: number;
}

const shownEndpoint = (spec: ExporterSpec): string => endpointKeyOf(spec).shown;

/** The endpoint keys of a spec: where a URL or address to send to can be written. */
const ENDPOINT_KEYS = new Set(['endpoint', 'traces_endpoint', 'metrics_endpoint', 'logs_endpoint']);

/**
 * An endpoint key written as a reference to a variable that is not set: the exporter has no
 * endpoint because of it, which is what to say rather than that none is written.
 */
const unsetEndpoint = (spec: ExporterSpec) =>
  spec.valueSources?.find((v) => v.from === 'unset' && (ENDPOINT_KEYS.has(v.key) || v.key === spec.endpointKey));

function endpointProblems(spec: ExporterSpec, ctx: StaticCheckContext): Problem[] {
  const key = endpointKeyOf(spec).key;
  const r = resolveEndpoint(spec);
  if (!r.ok) {
    const unset = r.reason === 'missing_endpoint' ? unsetEndpoint(spec) : undefined;
    if (unset) return [problem(r.reason, { ...ctx.where, key: unset.key, detail: `it is written as ${unset.reference}, and that variable is not set, so the value is empty` })];
    return [problem(r.reason, { ...ctx.where, key, detail: r.detail })];
  }
  const out: Problem[] = [];
  const facts = { ...ctx.where, endpoint: shownEndpoint(spec), port: r.endpoint.port };
  const traits = PROTOCOLS[spec.protocol];
  if (traits.otherProtocolPort && r.endpoint.port === traits.otherProtocolPort.port) out.push(problem(traits.otherProtocolPort.reason, facts));
  if (spec.tls.insecure && /^https:\/\//i.test(shownEndpoint(spec).trim())) {
    out.push(problem('insecure_with_https', { ...facts, ca: Boolean(spec.tls.caFile || spec.tls.caPem) }));
  }
  if (traits.signalEndpointKeys && spec.tracesEndpoint && (spec.signal ?? 'traces') === 'traces') {
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

/**
 * The problems the config readers' findings name, their messages and fixes with every secret
 * hidden (they quote endpoints and details as written).
 */
export function configProblems(findings: readonly Finding[], secrets: readonly string[]): Problem[] {
  return findings.map((f) => hidden(problemOf(f), secrets));
}

/** An exporter's config problems: the static ones, then the readers' findings, secrets hidden. */
export function exporterConfigProblems(spec: ExporterSpec, ctx: StaticCheckContext, findings: readonly Finding[]): Problem[] {
  return [...staticProblems(spec, ctx), ...findings.map(problemOf)].map((p) => hidden(p, spec.secrets));
}

const hidden = (p: Problem, secrets: readonly string[]): Problem =>
  Object.freeze({ ...p, message: redact(p.message, secrets), fix: redact(p.fix, secrets) });
