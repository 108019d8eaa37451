import t from 'tap';
import { readFileSync } from 'node:fs';
import { fixtureDiagnosis } from '../helpers/diagnosis-fixture.js';

/** The fields docs/http.md documents for the diagnosis document, and those it marks optional. */
function documentedFields(): { all: Set<string>; optional: Set<string>; problem: Set<string> } {
  const doc = readFileSync(new URL('../../docs/http.md', import.meta.url), 'utf8');
  const section = doc.split(/^## The diagnosis document$/m)[1]?.split(/^## /m)[0] ?? '';
  const [fields = '', problems = ''] = (section.split(/^### Fields$/m)[1] ?? '').split(/^### Problems$/m);
  const rows = (text: string): RegExpExecArray[] =>
    text
      .split('\n')
      .map((row) => /^\| `([a-z_.[\]]+)` \| [^|]+ \| (.*) \|$/.exec(row))
      .filter((m): m is RegExpExecArray => m !== null);
  const all = new Set<string>();
  const optional = new Set<string>();
  for (const m of rows(fields)) {
    all.add(m[1]!);
    if (m[2]!.startsWith('optional')) optional.add(m[1]!);
  }
  return { all, optional, problem: new Set(rows(problems).map((m) => m[1]!)) };
}

/** Every key path of a JSON value as docs/http.md writes them: `a.b`, `list[].c`. */
function keyPaths(value: unknown, prefix: string, out: Set<string>, stopAt: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) keyPaths(v, `${prefix}[]`, out, stopAt);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.add(path);
    if (!stopAt.has(path)) keyPaths(v, path, out, stopAt);
  }
}

t.test('the fixture has exactly the fields docs/http.md documents for the diagnosis document', async (t) => {
  const doc = documentedFields();
  t.ok(doc.all.size > 30, `the field table is read (${doc.all.size} rows)`);
  const d = JSON.parse(JSON.stringify(fixtureDiagnosis())) as Record<string, unknown>;
  // problems, tls, queue, proxy and value_sources are documented as objects of their own
  const leaves = new Set(['collector.problems', 'exporters[].problems', 'exporters[].tls', 'exporters[].queue', 'exporters[].proxy', 'exporters[].value_sources']);
  const seen = new Set<string>();
  keyPaths(d, '', seen, leaves);
  for (const path of seen) t.ok(doc.all.has(path), `${path} is documented`);
  for (const path of doc.all) {
    if (!doc.optional.has(path)) t.ok(seen.has(path), `${path} is in the document`);
  }
  const problems = [...(d.collector as { problems: object[] }).problems, ...(d.exporters as { problems: object[] }[]).flatMap((e) => e.problems)];
  t.ok(problems.length > 0);
  for (const p of problems) t.same(Object.keys(p).sort(), [...doc.problem].sort(), 'a problem has the documented fields');
});
