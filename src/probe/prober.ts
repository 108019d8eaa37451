import type { LookupAddress } from 'node:dns';
import type { ProbeObservation } from './probe-result.js';

/** Resolves a host to every address, like dns.promises.lookup(host, { all: true }). */
export type LookupAll = (host: string) => Promise<LookupAddress[]>;

/** What one probe round hands to a prober. */
export interface ProbeContext {
  /** the probe's deadline: aborts every layer when it fires */
  readonly signal: AbortSignal;
  /** `probe.timeout`, the time `signal` allows, to say so when it ends a wait; unknown when absent */
  readonly timeoutMs?: number;
  readonly mode: 'export' | 'handshake';
  readonly certExpiryMs: number;
  readonly slowResponseMs: number;
  /** the collector process's environment (proxy variables), else ours */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** injected DNS; defaults to the system resolver */
  readonly lookup?: LookupAll;
  /** injected clock (epoch ms) */
  readonly now?: () => number;
}

/** How a prober is made, beside its exporter. */
export interface ProberOptions {
  /**
   * a critical mistake in the exporter's config leaves nothing to try (diagnose/ decides it): the
   * prober then prepares nothing and every observation says nothing was tried
   */
  readonly tryNothing: boolean;
}

/**
 * Probes one exporter. Lifecycle: created when the exporter appears in the config, `observe` is called
 * once per round and never twice at once (the scheduler guarantees it), `close` when the exporter
 * disappears or the daemon stops; it releases whatever the prober keeps between rounds.
 */
export interface ExporterProber {
  /** what the layers saw (src/diagnose/classify-probe.ts judges it) */
  observe(ctx: ProbeContext): Promise<ProbeObservation>;
  close(): void;
}
