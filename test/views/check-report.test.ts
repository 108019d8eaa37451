import t from 'tap';
import { PLAIN, renderReport } from '../../src/views/check-report.js';
import { fixtureDiagnosis } from '../helpers/diagnosis-fixture.js';

t.test('the check report tells each queue in the unit of its sizer', async (t) => {
  const d = fixtureDiagnosis();
  const text = renderReport(d, PLAIN);
  t.match(text, 'queue 812/1000 spans (full in 42 s)');
  t.match(text, 'queue 3/1000 requests (not filling)');
  t.notMatch(text, /batches/);
  // a diagnosis without the unit (from an older otel-sentinel) still renders
  const bare = { ...d, exporters: d.exporters.map((e) => (e.queue ? { ...e, queue: { size: e.queue.size, capacity: e.queue.capacity, seconds_to_full: e.queue.seconds_to_full } } : e)) };
  t.match(renderReport(bare, PLAIN), 'queue 812/1000 (full in 42 s)');
});
