import type { Gauge } from 'prom-client';
import { bumpVersion } from './family-version.js';

/** One gauge series as it should be: the family, its label set and its value. */
export interface Series {
  readonly gauge: Gauge<string>;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Remembers which gauge series each owner (an exporter, the collector) has set, so that a new
 * desired state can be applied as a difference: series that are no longer wanted are removed,
 * changed values are set, unchanged ones are left alone (and their family's cached text stays
 * valid). Lives as long as the metrics it writes to.
 */
export class SeriesBook {
  readonly #owners = new Map<string, Map<string, Series>>();

  apply(owner: string, wanted: readonly Series[]): void {
    const before = this.#owners.get(owner);
    const after = new Map<string, Series>();
    for (const s of wanted) {
      const key = seriesKey(s);
      after.set(key, s);
      const old = before?.get(key);
      if (old === undefined || !Object.is(old.value, s.value)) {
        s.gauge.set(s.labels, s.value);
        bumpVersion(s.gauge);
      }
    }
    if (before) {
      for (const [key, old] of before) {
        if (!after.has(key)) {
          old.gauge.remove(old.labels);
          bumpVersion(old.gauge);
        }
      }
    }
    this.#owners.set(owner, after);
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
