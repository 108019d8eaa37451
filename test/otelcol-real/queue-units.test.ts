/**
 * Queue units on the real collector: with `sending_queue.sizer` requests, items or bytes,
 * otelcol_exporter_queue_size counts in that unit, and otel-sentinel's warning says so and carries
 * a prediction. How good the prediction is (seconds_to_full against the real time until the first
 * enqueue failure) is measured by `npm run bench -- --only queue`, not asserted here.
 */
import t from 'tap';
import { runQueueFill } from '../helpers/collector/queue-fill.js';

const UNIT = { requests: 'requests', items: 'spans', bytes: 'bytes' } as const;

for (const sizer of ['requests', 'items', 'bytes'] as const) {
  t.test(`sizer ${sizer}`, async (t) => {
    const run = await runQueueFill({ sizer, fillSeconds: 30, untilFull: false, interval: '500ms', timeout: '400ms' });
    t.equal(run.capacity, run.queueSize, `the collector's capacity is queue_size, in ${sizer}`);
    t.equal(run.diagnosedSizer, sizer, 'the diagnosis names the sizer');
    t.equal(run.unit, UNIT[sizer], `and the unit: ${UNIT[sizer]}`);
    t.match(run.message, new RegExp(`holds \\d+ of ${run.queueSize} ${UNIT[sizer]}\\b`), run.message);
    t.match(run.message, /at the current rate it is full in \d/, 'the prediction is in the message');
    t.ok(run.secondsToFull > 0 && Number.isFinite(run.secondsToFull), `seconds_to_full ${run.secondsToFull}`);
    t.notMatch(run.message, /batches/);
  });
}
