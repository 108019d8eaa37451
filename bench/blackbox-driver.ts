import { httpGet } from './http-get.js';

/**
 * What Prometheus would do to blackbox_exporter, at a fixed rate: GET /probe open-loop (a request
 * goes out when due, whether or not earlier ones answered). Runs in the bench process, so its own
 * CPU is not counted against blackbox. Lifecycle: `startDriver()`, read counts, `stop()` once.
 */
export interface Driver {
  /** answers received so far (any probe result) */
  answered(): number;
  /** answers that said probe_success 1 */
  succeeded(): number;
  /** requests that failed at the HTTP level (blackbox overloaded or gone) */
  errors(): number;
  stop(): Promise<void>;
}

/** Whether a /probe answer of blackbox_exporter says the probe succeeded. */
export const probeSucceeded = (body: string): boolean => /^probe_success 1$/m.test(body);

/** `url`: one /probe URL, or several asked in turn (one target after another, as a scrape of each would). */
export function startDriver(url: string | readonly string[], perSecond: number): Driver {
  const urls = typeof url === 'string' ? [url] : url;
  if (urls.length === 0) throw new Error('startDriver: no URL to ask');
  let answered = 0;
  let succeeded = 0;
  let errors = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let sent = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    const due = Math.floor(((performance.now() - t0) / 1000) * perSecond) + 1;
    for (; sent < due; sent++) {
      const p = httpGet(urls[sent % urls.length]!, 30_000)
        .then((r) => {
          if (r.status !== 200) errors++;
          else {
            answered++;
            if (probeSucceeded(r.body)) succeeded++;
          }
        })
        .catch(() => {
          errors++;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    const next = t0 + ((sent) / perSecond) * 1000;
    timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  tick();
  return {
    answered: () => answered,
    succeeded: () => succeeded,
    errors: () => errors,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
