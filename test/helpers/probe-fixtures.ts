/**
 * Builders for probe inputs: an ExporterSpec with the collector's defaults, and a ProbeContext
 * with its own deadline. Deadlines are generous by default (a loaded 2-core machine is slow).
 */
import type { ExporterSpec, TlsSettings } from '../../src/config/exporter-spec.js';
import type { ProbeContext, LookupAll } from '../../src/probe/prober.js';
import { createJudgedProber } from './judged.js';
import type { ProbeResult } from '../../src/diagnose/classify-probe.js';
import type { Problem } from '../../src/diagnose/problem.js';
import type { Test } from 'tap';

export type SpecInput = Partial<Omit<ExporterSpec, 'tls'>> & { tls?: Partial<TlsSettings> };

export function exporterSpec(o: SpecInput = {}): ExporterSpec {
  const protocol = o.protocol ?? 'grpc';
  return {
    name: o.name ?? (protocol === 'grpc' ? 'otlp/test' : 'otlphttp/test'),
    type: o.type ?? (protocol === 'grpc' ? 'otlp' : 'otlphttp'),
    protocol,
    endpoint: o.endpoint ?? '',
    tracesEndpoint: o.tracesEndpoint,
    tls: { insecure: false, insecureSkipVerify: false, ...o.tls },
    headers: o.headers ?? {},
    compression: o.compression,
    timeoutMs: o.timeoutMs ?? (protocol === 'grpc' ? 5000 : 30000),
    proxyUrl: o.proxyUrl,
    source: o.source ?? '/etc/otelcol/config.yaml',
    secrets: o.secrets ?? Object.values(o.headers ?? {}),
    configProblems: o.configProblems ?? [],
  };
}

export interface ContextInput {
  readonly timeoutMs?: number;
  readonly mode?: 'export' | 'handshake';
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly lookup?: LookupAll;
  readonly certExpiryMs?: number;
  readonly slowResponseMs?: number;
  readonly now?: () => number;
}

/** A probe context whose deadline is `timeoutMs` from now (default 10 s). */
export function probeContext(o: ContextInput = {}): ProbeContext {
  return {
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    timeoutMs: o.timeoutMs ?? 10_000,
    mode: o.mode ?? 'export',
    certExpiryMs: o.certExpiryMs ?? 14 * 86_400_000,
    slowResponseMs: o.slowResponseMs ?? 60_000,
    env: o.env ?? {},
    lookup: o.lookup,
    now: o.now,
  };
}


/** Probes once with a fresh prober and closes it. */
export async function probeOnce(spec: ExporterSpec, ctx: ContextInput = {}): Promise<ProbeResult> {
  const prober = createJudgedProber(spec);
  try {
    return await prober.probe(probeContext(ctx));
  } finally {
    prober.close();
  }
}

export interface ExpectedProblem {
  readonly cause: string;
  readonly reason: string;
  readonly severity?: 'critical' | 'warning';
  /** texts the message must carry (the telling detail) */
  readonly message?: readonly (string | RegExp)[];
  /** texts the fix must carry (the config key or command) */
  readonly fix?: readonly (string | RegExp)[];
}

/**
 * Asserts that the probe found exactly this one problem (critical by default) and nothing else
 * of the probe causes, and that `up` follows from it. Returns the problem.
 */
export function expectProblem(t: Test, r: ProbeResult, e: ExpectedProblem): Problem | undefined {
  const severity = e.severity ?? 'critical';
  const critical = r.problems.filter((p) => p.severity === 'critical');
  const found = r.problems.find((p) => p.reason === e.reason);
  t.ok(found, `reason ${e.reason} found in ${JSON.stringify(r.problems.map((p) => p.reason))}`);
  if (!found) return undefined;
  // SHOW_PROBLEMS=1 prints each problem, to read the wording while working on the catalogue.
  if (process.env.SHOW_PROBLEMS) console.log('PROBLEM', JSON.stringify(found));
  t.equal(found.cause, e.cause, 'cause');
  t.equal(found.severity, severity, 'severity');
  if (severity === 'critical') {
    t.equal(critical.length, 1, 'exactly one critical problem');
    t.equal(r.up, false, 'not up');
  } else {
    t.equal(critical.length, 0, 'no critical problem');
  }
  for (const m of e.message ?? []) t.match(found.message, m, `message carries ${String(m)}`);
  for (const f of e.fix ?? []) t.match(found.fix, f, `fix carries ${String(f)}`);
  return found;
}
