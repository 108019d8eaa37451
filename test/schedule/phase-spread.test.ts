import t from 'tap';
import { phaseOf } from '../../src/schedule/scheduler.js';

t.test('keys that differ only in their last characters still spread over the whole interval', async (t) => {
  for (const prefix of ['exporter:otlp/backend-', 'exporter:otlphttp/tenant-']) {
    const tenths = new Array<number>(10).fill(0);
    for (let i = 0; i < 200; i++) {
      const p = phaseOf(`${prefix}${i}`);
      t.ok(p >= 0 && p < 1, 'a fraction of the interval');
      tenths[Math.floor(p * 10)]!++;
    }
    // 20 per tenth when even; a clustered hash put 68 of 200 into one tenth and none in six others
    t.ok(Math.max(...tenths) <= 35 && Math.min(...tenths) >= 8, `${prefix}N spreads evenly: ${tenths.join(' ')}`);
  }
});

t.test('the phase of a key is stable (reloads keep their timing)', async (t) => {
  t.equal(phaseOf('exporter:otlp/a'), phaseOf('exporter:otlp/a'));
  t.not(phaseOf('exporter:otlp/a'), phaseOf('exporter:otlp/b'));
});
