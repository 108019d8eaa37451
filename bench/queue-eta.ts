/**
 * How good is seconds_to_full? On the real collector (test/otelcol), for each sending_queue.sizer:
 * a queue filled at a fixed rate by spans its backend keeps refusing (retryable), otel-sentinel
 * beside it. Compares seconds_to_full at otel-sentinel's first queue warning with the real time
 * from that warning until the collector's first enqueue failure.
 */
import type { QueueSizer } from '../src/config/queue-sizer.js';
import { runQueueFill, type QueueFillRun } from '../test/helpers/collector/queue-fill.js';
import type { BenchOptions } from './bench-options.js';

export interface QueueEtaResult {
  readonly sizer: QueueSizer;
  readonly runs: readonly QueueFillRun[];
  /** median and worst relative error of the prediction over the runs */
  readonly medianError: number;
  readonly worstError: number;
}

const SIZERS: readonly QueueSizer[] = ['requests', 'items', 'bytes'];

export async function runQueueEta(o: BenchOptions, log: (line: string) => void): Promise<QueueEtaResult[]> {
  const out: QueueEtaResult[] = [];
  const runs = o.quick ? 1 : 3;
  const fillSeconds = o.quick ? 10 : 30;
  for (const sizer of SIZERS) {
    const done: QueueFillRun[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runQueueFill({ sizer, fillSeconds, untilFull: true });
      log(`queue ${sizer} run ${i + 1}: warned at ${(r.warnedMs / 1000).toFixed(1)} s predicting full in ${r.secondsToFull.toFixed(1)} s; ` +
        `first enqueue failure at ${((r.fullMs ?? NaN) / 1000).toFixed(1)} s; error ${((r.error ?? NaN) * 100).toFixed(1)} %`);
      done.push(r);
    }
    const errors = done.map((r) => r.error ?? Infinity).sort((a, b) => a - b);
    out.push({ sizer, runs: done, medianError: errors[Math.floor((errors.length - 1) / 2)]!, worstError: errors[errors.length - 1]! });
  }
  return out;
}
