import type { ExporterStats } from './exporter-stats.js';

/** Samples older than this do not count toward the fill rate. */
export const WINDOW_MS = 5 * 60 * 1000;
/** And never more than this many per queue, whatever the scrape interval. */
export const MAX_POINTS = 60;

interface Point {
  readonly t: number;
  readonly size: number;
}

interface Counters {
  readonly t: number;
  readonly sent: number | null;
  readonly sendFailed: number | null;
  readonly enqueueFailed: number | null;
}

/** One exporter's queue as seen at one scrape, with what the window adds. */
export interface QueueView {
  readonly dataType: string;
  readonly size: number | null;
  readonly capacity: number | null;
  /** units per second, least squares over the window since the queue was last empty; null with fewer than two such points */
  readonly fillRate: number | null;
  /**
   * null when not filling (or unknown), which includes a queue holding steady: a rise over the
   * window that is under one item or within the scatter of the samples is no trend; 0 when full
   */
  readonly secondsToFull: number | null;
}

/** Counter increases since the previous scrape; null on the first one. */
export interface CounterDeltas {
  readonly sent: number | null;
  readonly sendFailed: number | null;
  readonly enqueueFailed: number | null;
}

export interface ExporterView {
  /** the fullest of the exporter's queues (one per data type); null when it has none */
  readonly queue: QueueView | null;
  readonly deltas: CounterDeltas;
}

/**
 * Recent history of every watched exporter's queues and counters, bounded in time and points.
 * Lifecycle: one per scraper; `observe()` once per scrape with the exporters to keep: state of any
 * other exporter (dropped from the config) or data type (gone from the page) is forgotten.
 */
export class QueueWindow {
  private readonly queues = new Map<string, Map<string, Point[]>>();
  private readonly counters = new Map<string, Counters>();

  observe(t: number, names: readonly string[], stats: ReadonlyMap<string, ExporterStats>): Map<string, ExporterView> {
    const keep = new Set(names);
    for (const k of [...this.queues.keys()]) if (!keep.has(k)) this.queues.delete(k);
    for (const k of [...this.counters.keys()]) if (!keep.has(k)) this.counters.delete(k);
    const out = new Map<string, ExporterView>();
    for (const name of keep) {
      const st = stats.get(name);
      out.set(name, { queue: st ? this.observeQueues(t, name, st) : null, deltas: this.observeCounters(t, name, st) });
      if (!st) this.queues.delete(name);
    }
    return out;
  }

  /** Number of points held, for tests and the benchmark: it must stay bounded. */
  size(): number {
    let n = 0;
    for (const q of this.queues.values()) for (const p of q.values()) n += p.length;
    return n + this.counters.size;
  }

  private observeQueues(t: number, name: string, st: ExporterStats): QueueView | null {
    let byType = this.queues.get(name);
    if (!byType) {
      byType = new Map();
      this.queues.set(name, byType);
    }
    for (const dt of [...byType.keys()]) if (!st.queues.has(dt)) byType.delete(dt);
    let worst: QueueView | null = null;
    let worstRatio = -1;
    for (const [dt, g] of st.queues) {
      let points = byType.get(dt) ?? [];
      if (g.size !== null) {
        points.push({ t, size: g.size });
        points = points.filter((p) => t - p.t <= WINDOW_MS).slice(-MAX_POINTS);
      }
      byType.set(dt, points);
      const fitted = sinceEmpty(points);
      const rate = fillRate(fitted);
      let secondsToFull: number | null = null;
      if (g.size !== null && g.capacity !== null && g.capacity > 0) {
        if (g.size >= g.capacity) secondsToFull = 0;
        // a queue that shrank since the last scrape is draining now, whatever the window's trend
        else if (rate !== null && rising(fitted, rate) && !shrinking(points)) secondsToFull = (g.capacity - g.size) / rate;
      }
      const view: QueueView = { dataType: dt, size: g.size, capacity: g.capacity, fillRate: rate, secondsToFull };
      const ratio = g.size !== null && g.capacity ? g.size / g.capacity : 0;
      const soonness = secondsToFull === null ? 0 : 1 / (1 + secondsToFull);
      // the fullest queue speaks for the exporter; among equally full, the one filling fastest
      if (ratio + soonness * 1e-6 > worstRatio) {
        worst = view;
        worstRatio = ratio + soonness * 1e-6;
      }
    }
    return worst;
  }

  private observeCounters(t: number, name: string, st: ExporterStats | undefined): CounterDeltas {
    const prev = this.counters.get(name);
    const cur: Counters = { t, sent: st?.sent ?? null, sendFailed: st?.sendFailed ?? null, enqueueFailed: st?.enqueueFailed ?? null };
    this.counters.set(name, cur);
    // the collector creates a counter's series at its first increase: absent from the previous
    // scrape, it stood at 0 then (so the first failures of an exporter count at once)
    const before = (v: number | null | undefined): number | undefined => (prev ? (v ?? 0) : undefined);
    return {
      sent: delta(before(prev?.sent), cur.sent),
      sendFailed: delta(before(prev?.sendFailed), cur.sendFailed),
      enqueueFailed: delta(before(prev?.enqueueFailed), cur.enqueueFailed),
    };
  }
}

/** A counter's increase; after a reset (the collector restarted) the new value is the increase. */
function delta(prev: number | null | undefined, cur: number | null): number | null {
  if (prev === null || prev === undefined || cur === null) return null;
  return cur >= prev ? cur - prev : cur;
}

function shrinking(points: readonly Point[]): boolean {
  const last = points[points.length - 1];
  const prev = points[points.length - 2];
  return last !== undefined && prev !== undefined && last.size < prev.size;
}

/**
 * The points a fill rate is fitted to: those after the last empty sample, when the window holds
 * one. A queue that was empty and fills now (an outage began) fills at the rate since then: empty
 * samples from before would pull the slope down for as long as they stay in the window, and the
 * last empty sample itself may be up to one interval older than the start of the fill. Fewer than
 * two points since then: no rate yet. A queue never empty in the window is fitted over all of it.
 */
export function sinceEmpty(points: readonly Point[]): readonly Point[] {
  for (let i = points.length - 1; i >= 0; i--) if (points[i]!.size === 0) return points.slice(i + 1);
  return points;
}

/**
 * Least-squares slope of size over time, in the queue's unit per second. Computed about the means,
 * so a queue whose size does not change has a slope of exactly 0 (the textbook sums leave float residue of
 * about 1e-15, which turned a steady queue into "full in 100 billion days").
 */
export function fillRate(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  const { t0, mx, my } = means(points);
  let sxx = 0, sxy = 0;
  for (const p of points) {
    const dx = (p.t - t0) / 1000 - mx;
    sxx += dx * dx;
    sxy += dx * (p.size - my);
  }
  if (sxx <= 0) return null;
  return sxy / sxx;
}

/** The first sample's time, and the mean time (seconds after it) and size of the samples. */
function means(points: readonly Point[]): { t0: number; mx: number; my: number } {
  const t0 = points[0]!.t;
  let mx = 0, my = 0;
  for (const p of points) {
    mx += (p.t - t0) / 1000;
    my += p.size;
  }
  return { t0, mx: mx / points.length, my: my / points.length };
}

/**
 * Whether the fitted rise over the window is a trend rather than noise: at least one unit of the queue, and more
 * than twice the scatter of the samples around the fitted line. A queue holding steady, or
 * wobbling around a level, makes no prediction.
 */
export function rising(points: readonly Point[], rate: number): boolean {
  if (!(rate > 0) || points.length < 2) return false;
  const first = points[0]!;
  const span = (points[points.length - 1]!.t - first.t) / 1000;
  const rise = rate * span;
  if (!(rise >= 1)) return false;
  const n = points.length;
  const { t0, mx, my } = means(points);
  let sse = 0;
  for (const p of points) {
    const r = p.size - (my + rate * ((p.t - t0) / 1000 - mx));
    sse += r * r;
  }
  const scatter = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  return rise > 2 * scatter;
}
