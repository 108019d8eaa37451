import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollectorWatcher } from '../../src/collector/collector-watcher.js';
import { createTelemetryScraper } from '../../src/collector/telemetry-scraper.js';
import { createProber } from '../../src/probe/create-prober.js';
import { judgedProber } from '../../src/diagnose/judge.js';
import { exporterSpec } from '../helpers/probe-fixtures.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every import and export specifier of a TypeScript file (static and dynamic). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\s)(?:import|export)\b[^'"`;]*?from\s*'([^']+)'/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out;
}

t.test('the producers (probe/, collector/) import nothing from diagnose/: the dependency points the other way', async (t) => {
  const diagnose = join(SRC, 'diagnose');
  let files = 0;
  for (const dir of ['probe', 'collector']) {
    for (const name of readdirSync(join(SRC, dir)).filter((n) => n.endsWith('.ts'))) {
      files++;
      const file = join(SRC, dir, name);
      const into = specifiers(file)
        .filter((s) => s.startsWith('.'))
        .filter((s) => !relative(diagnose, resolve(dirname(file), s)).startsWith('..'));
      t.same(into, [], `${dir}/${name}`);
    }
  }
  t.ok(files > 20, 'the folders were read');
  // the scan itself sees such an import
  t.ok(specifiers(join(SRC, 'diagnose/judge.ts')).includes('../probe/prober.js'), 'an import of another folder is found');
});

t.test('the producers only observe: no judged probe(), inspect() or scrape() is left on them', async (t) => {
  t.same(Object.keys(createCollectorWatcher({ procRoot: '/nonexistent' })).sort(), ['locate', 'read']);
  t.same(Object.keys(createTelemetryScraper()).sort(), ['read']);
  const p = judgedProber(exporterSpec({ endpoint: '127.0.0.1:1', tls: { insecure: true } }), createProber);
  t.same(Object.keys(p.prober).sort(), ['close', 'observe']);
  p.prober.close();
});

t.test('a config that leaves nothing to try makes a prober that tries nothing', async (t) => {
  const spec = exporterSpec({ endpoint: '127.0.0.1:1', tls: { insecure: true } });
  const blocked = { ...spec, configProblems: [{ cause: 'endpoint' as const, reason: 'missing_endpoint', severity: 'critical' as const, message: 'm', fix: 'f' }] };
  const p = judgedProber(blocked, createProber);
  t.equal(p.judge.configBlocks, true);
  const obs = await p.prober.observe({ signal: AbortSignal.timeout(5000), mode: 'export', certExpiryMs: 1, slowResponseMs: 1000, env: {} });
  t.equal(obs.ran, undefined, 'no layer ran');
  t.equal(obs.unprepared, undefined, 'nothing was prepared');
  t.same(p.judge.judge(obs).problems.map((x) => x.reason), ['missing_endpoint'], 'the config problem is the verdict');
  p.prober.close();
});
