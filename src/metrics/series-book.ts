import type { Gauge } from 'prom-client';
import { bumpVersion } from './family-version.js';

/** One gauge series as it should be: the family, its label set and its value. */
export interface Series {
  readonly gauge: Gauge<string>;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Kept {
  readonly gauge: Gauge<string>;
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * Remembers which gauge series each owner (an exporter, the collector) has set, so that a new
 * desired state can be applied as a difference: series that are no longer wanted are removed,
 * changed values are set, unchanged ones are left alone (and their family's cached text stays
 * valid). An owner's series are kept in the order it last wanted them: when it wants the same
 * series again, as an exporter does after every probe that changed only its figures, they are
 * compared one by one and nothing is allocated. Lives as long as the metrics it writes to.
 */
export class SeriesBook {
  readonly #owners = new Map<string, Kept[]>();

  apply(owner: string, wanted: readonly Series[]): void {
    const kept = this.#owners.get(owner);
    if (kept && sameSeries(kept, wanted)) {
      for (let i = 0; i < wanted.length; i++) {
        const s = wanted[i]!;
        const k = kept[i]!;
        if (Object.is(k.value, s.value)) continue;
        k.value = s.value;
        s.gauge.set(k.labels, s.value);
        bumpVersion(s.gauge);
      }
      return;
    }
    this.#owners.set(owner, rebuild(kept ?? [], wanted));
  }

  /** Removes every series of the owner. */
  drop(owner: string): void {
    this.apply(owner, []);
    this.#owners.delete(owner);
  }
}

/** Matches wanted series to kept ones by family and labels: sets what changed, removes what is gone. */
function rebuild(kept: readonly Kept[], wanted: readonly Series[]): Kept[] {
  const old = new Map<string, Kept>();
  for (const k of kept) old.set(seriesKey(k), k);
  const now = new Map<string, Kept>();
  for (const s of wanted) {
    const key = seriesKey(s);
    const k = now.get(key) ?? old.get(key);
    // a label set wanted twice is one series: the later value holds
    now.set(key, k ?? { gauge: s.gauge, labels: s.labels, value: s.value });
    if (k !== undefined) {
      if (Object.is(k.value, s.value)) continue;
      k.value = s.value;
    }
    s.gauge.set(s.labels, s.value);
    bumpVersion(s.gauge);
  }
  for (const [key, k] of old) {
    if (now.has(key)) continue;
    k.gauge.remove(k.labels);
    bumpVersion(k.gauge);
  }
  return [...now.values()];
}

/** Whether `wanted` is the kept series in the same order (values aside). */
function sameSeries(kept: readonly Kept[], wanted: readonly Series[]): boolean {
  if (kept.length !== wanted.length) return false;
  for (let i = 0; i < wanted.length; i++) {
    const s = wanted[i]!;
    const k = kept[i]!;
    if (s.gauge !== k.gauge || !sameLabels(s.labels, k.labels)) return false;
  }
  return true;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  let n = 0;
  for (const name in a) {
    if (a[name] !== b[name]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

const gaugeIds = new WeakMap<object, number>();
let nextGaugeId = 0;

function seriesKey(s: { readonly gauge: object; readonly labels: Readonly<Record<string, string>> }): string {
  let id = gaugeIds.get(s.gauge);
  if (id === undefined) {
    id = nextGaugeId++;
    gaugeIds.set(s.gauge, id);
  }
  // Label sets are built by our own code in a fixed key order, so values alone identify them.
  return `${id}\u0000${Object.values(s.labels).join('\u0000')}`;
}
