import { performance } from 'node:perf_hooks';
import type { ExporterSpec } from '../config/exporter-spec.js';
import { problem } from '../diagnose/catalogue.js';
import { classifyFailure } from '../diagnose/classify-failure.js';
import type { Problem } from '../diagnose/problem.js';
import { redact } from '../diagnose/redact.js';
import type { Facts } from '../diagnose/reason-spec.js';
import type { GrpcClientKeeper } from './grpc-client-keeper.js';
import { GrpcKeeperSlot } from './grpc-keeper-slot.js';
import type { LayerFailure } from './layer.js';
import { LAYERS } from './layers.js';
import { OAuth2TokenSource } from './oauth2-token.js';
import { prepareExporter } from './prepare-exporter.js';
import type { Phases, ProbeResult } from './probe-result.js';
import type { ExporterProber, ProbeContext } from './prober.js';
import type { ProbeRun } from './probe-run.js';

/** milliseconds to seconds, to the microsecond */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;

/** Redacts every text of a problem: the last guard, whatever a layer or message put in. */
function guarded(p: Problem, secrets: readonly string[]): Problem {
  if (secrets.length === 0) return p;
  const message = redact(p.message, secrets);
  const fix = redact(p.fix, secrets);
  return message === p.message && fix === p.fix ? p : Object.freeze({ ...p, message, fix });
}

const emptyPhases = (): Phases => ({ dns_seconds: null, connect_seconds: null, tls_seconds: null, request_seconds: null });

/**
 * Creates the prober of one exporter: the layered probe of the six probe causes (docs/reasons.md). What
 * does not change between rounds (endpoint, TLS context, headers, the gRPC channel) is prepared
 * here, once; each probe opens a fresh TCP (+TLS) connection. A probe never throws and returns by
 * `ctx.signal`'s deadline.
 */
/** The order in which an export meets its layers: where it fails first decides the cause. */
const LAYER_ORDER: readonly string[] = ['endpoint', 'network', 'tls', 'protocol', 'auth', 'backend'];

export function createProber(spec: ExporterSpec): ExporterProber {
  const configProblems = spec.configProblems.map((p) => guarded(p, spec.secrets));
  if (spec.protocol === 'none') return notProbed(configProblems);
  const configCritical = configProblems.filter((p) => p.severity === 'critical');
  const configWarnings = configProblems.filter((p) => p.severity !== 'critical');
  const prepared = configCritical.length > 0 ? null : prepareExporter(spec);
  const prep = prepared?.ok ? prepared.prep : null;
  // One probe cause at a time: of several config mistakes, the one the collector would trip on first.
  const firstCritical = [...configCritical].sort((a, b) => LAYER_ORDER.indexOf(a.cause) - LAYER_ORDER.indexOf(b.cause))[0];
  const unprobeable: readonly Problem[] | null = firstCritical
    ? [firstCritical]
    : prepared && !prepared.ok
      ? [...configWarnings, prepared.problem]
      : null;
  const grpc = prep && spec.protocol === 'grpc' ? new GrpcKeeperSlot(prep) : null;
  const auth = spec.dynamicAuth;
  const tokens = prep && auth?.kind === 'oauth2client' ? new OAuth2TokenSource(auth) : null;
  let closed = false;

  return {
    async probe(given: ProbeContext): Promise<ProbeResult> {
      // a request that cannot be made as the collector makes it is left out
      const ctx: ProbeContext = spec.handshakeOnly ? { ...given, mode: 'handshake' } : given;
      const startedAt = ctx.now ? ctx.now() : Date.now();
      if (unprobeable || !prep || closed) {
        return { up: false, problems: unprobeable ?? [], phases: emptyPhases(), totalSeconds: 0, tls: null, startedAt };
      }
      // grpc-js is loaded before the clock starts: its first load is not the backend's time. If it
      // cannot be loaded, the Export layer fails with an internal probe error.
      const keeper: GrpcClientKeeper | null = grpc ? (grpc.current() ?? (await grpc.get().catch(() => null))) : null;
      if (closed) {
        return { up: false, problems: [], phases: emptyPhases(), totalSeconds: 0, tls: null, startedAt };
      }
      const run: ProbeRun = {
        prep,
        ctx,
        signal: ctx.signal,
        phases: emptyPhases(),
        facts: {},
        warnings: [],
        proxy: null,
        addresses: [],
        connected: null,
        socket: null,
        tlsSocket: null,
        tls: null,
        t0: performance.now(),
        grpc: keeper,
        answered: false,
        tokens,
        authHeaders: null,
        authSecrets: [],
      };
      let failure: LayerFailure | undefined;
      try {
        failure = await runLayers(run);
      } catch (err) {
        // A layer is written never to reject; if one does, the probe still answers.
        failure = { layer: 'request', code: 'ERROR', facts: { detail: 'internal probe error' }, cause: err };
      } finally {
        run.tlsSocket?.destroy();
        run.socket?.destroy();
      }
      const totalMs = performance.now() - run.t0;
      const problems: Problem[] = [...configWarnings];
      let secrets = run.proxy && run.proxy.secrets.length > 0 ? [...prep.secrets, ...run.proxy.secrets] : prep.secrets;
      if (run.authSecrets.length > 0) secrets = [...secrets, ...run.authSecrets].sort((a, b) => b.length - a.length);
      if (failure) {
        grpc?.reset();
        const facts: Record<string, Facts[string]> = { ...prep.baseFacts, ...run.facts, timeout_ms: Math.round(totalMs), code: failure.code, ...failure.facts };
        let reason = classifyFailure(failure, {
          sentClientCert: prep.baseFacts.client_cert === true,
          proxied: run.proxy !== null,
          protocol: spec.protocol,
        });
        if ((reason === 'unauthorized' || reason === 'forbidden') && auth?.kind === 'unverifiable') {
          // the probe could not send what the authenticator would: the rejection says nothing of the collector's exports
          reason = 'auth_unverifiable';
          facts.authenticator = auth.id;
          facts.authenticator_type = auth.detail ? `${auth.type}, ${auth.detail}` : auth.type;
        }
        if (reason === 'response_timeout' && probeGaveUp(failure, prep.spec.timeoutMs, totalMs)) {
          reason = 'probe_timeout';
          facts.probe_timeout_ms = ctx.timeoutMs ?? Math.round(totalMs);
          facts.exporter_timeout_ms = prep.spec.timeoutMs;
        }
        problems.push(guarded(problem(reason, facts as Facts), secrets));
      } else {
        for (const w of run.warnings) problems.push(guarded(problem(w.reason, { ...prep.baseFacts, ...run.facts, ...w.facts }), secrets));
        if (ctx.mode === 'export' && totalMs > ctx.slowResponseMs) {
          const facts = { ...prep.baseFacts, ...run.facts, elapsed_ms: Math.round(totalMs), threshold_ms: ctx.slowResponseMs };
          problems.push(guarded(problem('slow_response', facts), secrets));
        }
      }
      const proxy = run.proxy
        ? { url: run.proxy.display, source: run.proxy.source, mode: run.facts.proxy_mode === 'forward' ? ('forward' as const) : ('tunnel' as const) }
        : null;
      return { up: !failure, problems, phases: run.phases, totalSeconds: seconds(totalMs), tls: run.tls, proxy, startedAt };
    },
    close(): void {
      closed = true;
      grpc?.close();
    },
  };
}

/**
 * An exporter with nothing to probe (protocol none): every round reports its config problems and
 * no failure, since nothing was tried; the diagnosis says why it is not probed.
 */
function notProbed(configProblems: readonly Problem[]): ExporterProber {
  const up = !configProblems.some((p) => p.severity === 'critical');
  return {
    probe: async (ctx) => ({ up, problems: configProblems, phases: emptyPhases(), totalSeconds: 0, tls: null, startedAt: ctx.now ? ctx.now() : Date.now() }),
    close: () => {},
  };
}

/**
 * Whether the probe's own deadline, not the exporter's `timeout`, ended the wait for the answer:
 * the request was sent and the exporter would have waited longer (0 is no limit). Then nothing
 * says the collector's exports fail; the probe just stopped looking.
 */
function probeGaveUp(failure: LayerFailure, exporterTimeoutMs: number, elapsedMs: number): boolean {
  if (failure.layer !== 'request' || failure.code !== 'TIMEOUT' || failure.facts.timeout_ms !== undefined) return false;
  // a server silent at the HTTP/2 greeting is not slow to answer an export
  if (failure.facts.phase !== 'the POST' && failure.facts.phase !== 'the Export call') return false;
  return exporterTimeoutMs === 0 || exporterTimeoutMs > elapsedMs;
}

/** Resolves when the deadline fires: a layer that overlooks its signal still cannot hold the probe. */
function deadline(signal: AbortSignal): { promise: Promise<'deadline'>; dispose: () => void } {
  let onAbort: () => void = () => {};
  const promise = new Promise<'deadline'>((resolve) => {
    onAbort = () => resolve('deadline');
    if (signal.aborted) resolve('deadline');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

async function runLayers(run: ProbeRun): Promise<LayerFailure | undefined> {
  const stop = deadline(run.signal);
  try {
    return await runEach(run, stop.promise);
  } finally {
    stop.dispose();
  }
}

async function runEach(run: ProbeRun, stop: Promise<'deadline'>): Promise<LayerFailure | undefined> {
  for (const layer of LAYERS[run.prep.spec.protocol]) {
    if (layer.skip(run)) continue;
    if (run.signal.aborted) return { layer: layer.name, code: 'TIMEOUT', facts: { phase: layer.waitsFor } };
    const t = performance.now();
    const outcome = await Promise.race([layer.run(run), stop]);
    const failure: LayerFailure | undefined =
      outcome === 'deadline' ? { layer: layer.name, code: 'TIMEOUT', facts: { phase: layer.waitsFor } } : outcome;
    if (layer.phase) {
      const prevMs = (run.phases[layer.phase] ?? 0) * 1000;
      run.phases[layer.phase] = seconds(prevMs + performance.now() - t);
    }
    if (failure) return failure;
  }
  return undefined;
}
