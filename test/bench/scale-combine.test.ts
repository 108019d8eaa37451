import t from 'tap';
import { combineScaleRuns, type ScaleResult } from '../../bench/scale.js';

const run = (cpu: number, hwmMb: number, lagP99: number, failed: number): ScaleResult => ({
  exporters: 1000,
  intervalS: 15,
  seconds: 120,
  probes: 8000 + cpu,
  failed,
  cpuPercent: cpu,
  cpuPercentRuns: [cpu],
  firstIntervalCpuPercent: cpu + 4,
  rssBytes: hwmMb * 1e6 - 1e6,
  hwmBytes: hwmMb * 1e6,
  lagP50: lagP99 / 10,
  lagP99,
});

t.test('several scale runs read as one: median CPU, worst memory and lag, every failure', async (t) => {
  const c = combineScaleRuns([run(11.2, 128, 0.003, 0), run(8.9, 141, 0.002, 2), run(9.4, 130, 0.009, 1)]);
  t.equal(c.cpuPercent, 9.4, 'the median CPU: one noisy run does not decide');
  t.same(c.cpuPercentRuns, [11.2, 8.9, 9.4], 'every run, in order');
  t.equal(c.firstIntervalCpuPercent, 13.4);
  t.equal(c.hwmBytes, 141e6, 'the highest peak');
  t.equal(c.lagP99, 0.009, 'the worst p99');
  t.equal(c.failed, 3, 'failures of every run');
  t.equal(c.probes, 8009.4);
  t.same(combineScaleRuns([run(9, 130, 0.003, 0)]), run(9, 130, 0.003, 0), 'one run is itself');
  t.throws(() => combineScaleRuns([]), /no scale run/);
});
