import type { ExporterSpec } from '../config/exporter-spec.js';
import { PROTOCOLS } from '../config/protocols.js';
import type { Phases, ProbeObservation, ProxyUsed, TlsFacts } from '../probe/probe-result.js';
import type { LayerFailure } from '../probe/layer.js';
import { problem } from './catalogue.js';
import { classifyFailure } from './classify-failure.js';
import { problemOf } from './finding.js';
import type { Problem } from './problem.js';
import { redact } from './redact.js';
import type { Facts } from './reason-spec.js';

/** What one probe of one exporter found. A probe never throws; everything it saw is here. */
export interface ProbeResult {
  /** true when every layer succeeded end to end (warnings allowed) */
  readonly up: boolean;
  /**
   * At most one problem of the six probe causes that is critical (the first failing layer),
   * else warnings (tls_cert_expiring, slow_response); also the exporter's config problems.
   */
  readonly problems: readonly Problem[];
  readonly phases: Phases;
  readonly totalSeconds: number;
  readonly tls: TlsFacts | null;
  /** the proxy the probe went through; null (or absent) when it went direct */
  readonly proxy?: ProxyUsed | null;
  /** epoch ms when the probe started */
  readonly startedAt: number;
}

/** milliseconds to seconds, to the microsecond */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;

/** Redacts every text of a problem: the last guard, whatever a layer or message put in. */
function guarded(p: Problem, secrets: readonly string[]): Problem {
  if (secrets.length === 0) return p;
  const message = redact(p.message, secrets);
  const fix = redact(p.fix, secrets);
  return message === p.message && fix === p.fix ? p : Object.freeze({ ...p, message, fix });
}

/** The order in which an export meets its layers: where it fails first decides the cause. */
const LAYER_ORDER: readonly string[] = ['endpoint', 'network', 'tls', 'protocol', 'auth', 'backend'];

/**
 * Judges the probes of one exporter: made once per exporter with its config problems, then turns
 * each observation of its prober into the probe's result (up, problems, phases, total time).
 */
export interface ProbeJudge {
  /** whether a critical mistake in the config leaves nothing to try: the prober then tries nothing */
  readonly configBlocks: boolean;
  judge(obs: ProbeObservation): ProbeResult;
}

export function probeJudge(spec: ExporterSpec): ProbeJudge {
  const configProblems = spec.configProblems.map((p) => guarded(p, spec.secrets));
  const configCritical = configProblems.filter((p) => p.severity === 'critical');
  const configWarnings = configProblems.filter((p) => p.severity !== 'critical');
  if (!PROTOCOLS[spec.protocol].probed) {
    // nothing to probe: every round reports the config problems and no failure, since nothing was tried
    const up = configCritical.length === 0;
    return { configBlocks: true, judge: (obs) => ({ ...notTried(obs), up, problems: configProblems }) };
  }
  // One probe cause at a time: of several config mistakes, the one the collector would trip on first.
  const firstCritical = [...configCritical].sort((a, b) => LAYER_ORDER.indexOf(a.cause) - LAYER_ORDER.indexOf(b.cause))[0];
  const auth = spec.dynamicAuth;
  let unprepared: readonly Problem[] | null = null;
  return {
    configBlocks: firstCritical !== undefined,
    judge(obs: ProbeObservation): ProbeResult {
      const ran = obs.ran;
      if (!ran) {
        if (firstCritical) return { ...notTried(obs), problems: [firstCritical] };
        if (obs.unprepared) {
          unprepared ??= [...configWarnings, problemOf(obs.unprepared)];
          return { ...notTried(obs), problems: unprepared };
        }
        return { ...notTried(obs), problems: [] };
      }
      const problems: Problem[] = [...configWarnings];
      const failure = ran.failure;
      if (failure) {
        const facts: Record<string, Facts[string]> = { ...ran.facts, timeout_ms: Math.round(ran.totalMs), code: failure.code, ...failure.facts };
        let reason = classifyFailure(failure, { sentClientCert: ran.sentClientCert, proxied: obs.proxy != null, protocol: spec.protocol });
        if ((reason === 'unauthorized' || reason === 'forbidden') && auth?.kind === 'unverifiable') {
          // the probe could not send what the authenticator would: the rejection says nothing of the collector's exports
          reason = 'auth_unverifiable';
          facts.authenticator = auth.id;
          facts.authenticator_type = auth.detail ? `${auth.type}, ${auth.detail}` : auth.type;
        }
        if (reason === 'response_timeout' && probeGaveUp(failure, spec.timeoutMs, ran.probeTimeoutMs ?? ran.totalMs)) {
          reason = 'probe_timeout';
          facts.probe_timeout_ms = ran.probeTimeoutMs ?? Math.round(ran.totalMs);
          facts.exporter_timeout_ms = spec.timeoutMs;
        }
        problems.push(guarded(problem(reason, facts as Facts), ran.secrets));
      } else {
        for (const w of ran.warnings) problems.push(guarded(problem(w.reason, { ...ran.facts, ...w.facts }), ran.secrets));
        // thresholds.slow_response 0 turns the warning off
        if (ran.mode === 'export' && ran.slowResponseMs > 0 && ran.totalMs > ran.slowResponseMs) {
          const facts = { ...ran.facts, elapsed_ms: Math.round(ran.totalMs), threshold_ms: ran.slowResponseMs };
          problems.push(guarded(problem('slow_response', facts), ran.secrets));
        }
      }
      return { up: !failure, problems, phases: obs.phases, totalSeconds: seconds(ran.totalMs), tls: obs.tls, proxy: obs.proxy ?? null, startedAt: obs.startedAt };
    },
  };
}

const notTried = (obs: ProbeObservation): ProbeResult => ({ up: false, problems: [], phases: obs.phases, totalSeconds: 0, tls: null, startedAt: obs.startedAt });

/**
 * Whether the probe's own deadline, not the exporter's `timeout`, ended the wait for the answer:
 * the request was sent and the exporter would have waited longer (0 is no limit). Then nothing
 * says the collector's exports fail; the probe just stopped looking. The probe's deadline is
 * compared as configured, not as measured: the clock of the probe starts a little after its
 * deadline does, so an elapsed time can fall short of an exporter timeout equal to the deadline.
 */
function probeGaveUp(failure: LayerFailure, exporterTimeoutMs: number, probeDeadlineMs: number): boolean {
  if (failure.layer !== 'request' || failure.code !== 'TIMEOUT' || failure.facts.timeout_ms !== undefined) return false;
  // a server silent at the HTTP/2 greeting is not slow to answer an export
  if (failure.facts.phase !== 'the POST' && failure.facts.phase !== 'the Export call') return false;
  return exporterTimeoutMs === 0 || exporterTimeoutMs > probeDeadlineMs;
}
