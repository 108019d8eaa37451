/**
 * probe_timeout against response_timeout, judged from an observation: the probe's deadline is
 * taken as configured, so the verdict does not depend on how the clock fell in one run.
 */
import t from 'tap';
import { probeJudge } from '../../src/diagnose/classify-probe.js';
import type { ProbeObservation } from '../../src/probe/probe-result.js';
import { exporterSpec } from '../helpers/probe-fixtures.js';

function waitedFor(totalMs: number, probeTimeoutMs: number): ProbeObservation {
  return {
    startedAt: 0,
    phases: { dns_seconds: null, connect_seconds: 0.001, tls_seconds: null, request_seconds: null },
    tls: null,
    ran: {
      failure: { layer: 'request', code: 'TIMEOUT', facts: { phase: 'the POST' } },
      facts: { exporter: 'otlphttp/test', endpoint: 'http://127.0.0.1:4318' },
      warnings: [],
      totalMs,
      secrets: [],
      sentClientCert: false,
      mode: 'export',
      probeTimeoutMs,
      slowResponseMs: 0,
    },
  };
}

const reasonOf = (exporterTimeoutMs: number, totalMs: number, probeTimeoutMs: number): string | undefined =>
  probeJudge(exporterSpec({ protocol: 'http', endpoint: 'http://127.0.0.1:4318', timeoutMs: exporterTimeoutMs })).judge(waitedFor(totalMs, probeTimeoutMs))
    .problems[0]?.reason;

t.test('an exporter timeout equal to the probe deadline fails the export too, however short the measured wait', async (t) => {
  // the probe's clock starts after its deadline is armed: 798.6 ms measured for an 800 ms deadline
  t.equal(reasonOf(800, 798.6, 800), 'response_timeout');
  t.equal(reasonOf(800, 801.2, 800), 'response_timeout');
  t.equal(reasonOf(500, 798.6, 800), 'response_timeout', 'a shorter exporter timeout fails first');
});

t.test('an exporter that waits longer than the probe deadline is not said to fail', async (t) => {
  t.equal(reasonOf(801, 798.6, 800), 'probe_timeout');
  t.equal(reasonOf(30_000, 801.2, 800), 'probe_timeout');
  t.equal(reasonOf(0, 801.2, 800), 'probe_timeout', 'timeout 0 is no limit');
});
