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
  /** the apply() that last wanted this series */
  seen: number;
}

/**
 * Remembers which gauge series each owner (an exporter, the collector) has set, so that a new
 * desired state can be applied as a difference: series that are no longer wanted are removed,
 * changed values are set, unchanged ones are left alone (and their family's cached text stays
 * valid). Kept entries are updated in place: a probe that only changes durations allocates
 * nothing that outlives it. Lives as long as the metrics it writes to.
 */
export class SeriesBook {
  readonly #owners = new Map<string, Map<string, Kept>>();
  #applies = 0;

  apply(owner: string, wanted: readonly Series[]): void {
    let kept = this.#owners.get(owner);
    if (!kept) {
      kept = new Map();
      this.#owners.set(owner, kept);
    }
    const stamp = ++this.#applies;
    for (const s of wanted) {
      const key = seriesKey(s);
      const old = kept.get(key);
      if (old === undefined) {
        kept.set(key, { gauge: s.gauge, labels: s.labels, value: s.value, seen: stamp });
      } else {
        old.seen = stamp;
        if (Object.is(old.value, s.value)) continue;
        old.value = s.value;
      }
      s.gauge.set(s.labels, s.value);
      bumpVersion(s.gauge);
    }
    for (const [key, old] of kept) {
      if (old.seen === stamp) continue;
      old.gauge.remove(old.labels);
      bumpVersion(old.gauge);
      kept.delete(key);
    }
  }

  /** Removes every series of the owner. */
  drop(owner: string): void {
    this.apply(owner, []);
    this.#owners.delete(owner);
  }

  owners(): IterableIterator<string> {
    return this.#owners.keys();
  }
}

const gaugeIds = new WeakMap<object, number>();
let nextGaugeId = 0;

function seriesKey(s: Series): string {
  let id = gaugeIds.get(s.gauge);
  if (id === undefined) {
    id = nextGaugeId++;
    gaugeIds.set(s.gauge, id);
  }
  // Label sets are built by our own code in a fixed key order, so values alone identify them.
  return `${id}\u0000${Object.values(s.labels).join('\u0000')}`;
}
