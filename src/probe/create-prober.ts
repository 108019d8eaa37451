import { performance } from 'node:perf_hooks';
import type { ExporterSpec } from '../config/exporter-spec.js';
import { PROTOCOLS } from '../config/protocols.js';
import type { GrpcClientKeeper } from './grpc-client-keeper.js';
import { GrpcKeeperSlot } from './grpc-keeper-slot.js';
import type { LayerFailure } from './layer.js';
import { LAYERS } from './layers.js';
import { OAuth2TokenSource } from './oauth2-token.js';
import { prepareExporter } from './prepare-exporter.js';
import type { Phases, ProbeObservation } from './probe-result.js';
import type { ExporterProber, ProbeContext, ProberOptions } from './prober.js';
import type { ProbeRun } from './probe-run.js';

/** milliseconds to seconds, to the microsecond */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;

const emptyPhases = (): Phases => ({ dns_seconds: null, connect_seconds: null, tls_seconds: null, request_seconds: null });

/**
 * Creates the prober of one exporter: the layered probe of the six probe causes (docs/reasons.md). What
 * does not change between rounds (endpoint, TLS context, headers, the gRPC channel) is prepared
 * here, once; each probe opens a fresh TCP (+TLS) connection. A probe never throws and returns by
 * `ctx.signal`'s deadline. `observe` says what the layers saw; diagnose/ judges it
 * (src/diagnose/judge.ts).
 */
export function createProber(spec: ExporterSpec, opts: ProberOptions): ExporterProber {
  const prepared = opts.tryNothing ? null : prepareExporter(spec);
  const prep = prepared?.ok ? prepared.prep : null;
  const unprepared = prepared && !prepared.ok ? prepared.finding : undefined;
  const grpc = prep && PROTOCOLS[spec.protocol].grpcCalls ? new GrpcKeeperSlot(prep) : null;
  const auth = spec.dynamicAuth;
  const tokens = prep && auth?.kind === 'oauth2client' ? new OAuth2TokenSource(auth) : null;
  let closed = false;

  async function observe(given: ProbeContext): Promise<ProbeObservation> {
    // a request that cannot be made as the collector makes it is left out
    const ctx: ProbeContext = spec.handshakeOnly ? { ...given, mode: 'handshake' } : given;
    const startedAt = ctx.now ? ctx.now() : Date.now();
    if (!prep || closed) return { startedAt, phases: emptyPhases(), tls: null, ...(unprepared ? { unprepared } : {}) };
    // grpc-js is loaded before the clock starts: its first load is not the backend's time. If it
    // cannot be loaded, the Export layer fails with an internal probe error.
    const keeper: GrpcClientKeeper | null = grpc ? (grpc.current() ?? (await grpc.get().catch(() => null))) : null;
    if (closed) return { startedAt, phases: emptyPhases(), tls: null };
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
    let secrets = run.proxy && run.proxy.secrets.length > 0 ? [...prep.secrets, ...run.proxy.secrets] : prep.secrets;
    if (run.authSecrets.length > 0) secrets = [...secrets, ...run.authSecrets].sort((a, b) => b.length - a.length);
    if (failure) grpc?.reset();
    const proxy = run.proxy
      ? { url: run.proxy.display, source: run.proxy.source, mode: run.facts.proxy_mode === 'forward' ? ('forward' as const) : ('tunnel' as const) }
      : null;
    return {
      startedAt,
      phases: run.phases,
      tls: run.tls,
      proxy,
      ran: {
        ...(failure ? { failure } : {}),
        facts: { ...prep.baseFacts, ...run.facts },
        warnings: run.warnings,
        totalMs,
        secrets,
        sentClientCert: prep.baseFacts.client_cert === true,
        mode: ctx.mode,
        ...(ctx.timeoutMs !== undefined ? { probeTimeoutMs: ctx.timeoutMs } : {}),
        slowResponseMs: ctx.slowResponseMs,
      },
    };
  }

  return {
    observe,
    close(): void {
      closed = true;
      grpc?.close();
    },
  };
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
