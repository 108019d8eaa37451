import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE } from '../../src/diagnose/catalogue.js';
import { CONTRACT_CAUSES, CONTRACT_REASONS } from '../helpers/ops/contract-taxonomy.js';
import { REPO_ROOT, alertRules, githubAnchor, markdownAnchors } from '../helpers/ops/rule-files.js';

const RUNBOOKS = join(REPO_ROOT, 'docs/runbooks');
const runbook = (cause: string) => join(RUNBOOKS, `${cause}.md`);

t.test('every cause of docs/reasons.md has a runbook with a section per reason', async (t) => {
  for (const cause of CONTRACT_CAUSES) {
    const file = runbook(cause);
    if (!t.ok(existsSync(file), `docs/runbooks/${cause}.md`)) continue;
    const anchors = markdownAnchors(file);
    for (const reason of CONTRACT_REASONS[cause]) t.ok(anchors.has(reason), `${cause}.md has a section "### ${reason}"`);
    const text = readFileSync(file, 'utf8');
    t.match(text, /## What happens to data meanwhile/, `${cause}.md says what happens to the data`);
    t.match(text, /otel-sentinel check/, `${cause}.md shows how to confirm with otel-sentinel check`);
  }
});

t.test('every reason in the catalogue has a section in its cause\'s runbook', async (t) => {
  const entries = Object.entries(CATALOGUE);
  t.ok(entries.length > 0, 'the catalogue has reasons');
  for (const [reason, spec] of entries) {
    const file = runbook(spec.cause);
    t.ok(existsSync(file) && markdownAnchors(file).has(reason), `docs/runbooks/${spec.cause}.md#${reason}`);
  }
});

t.test('the runbook index links every runbook and names every alert', async (t) => {
  const index = readFileSync(join(RUNBOOKS, 'README.md'), 'utf8');
  for (const f of readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    t.match(index, `](${f})`, `README.md links ${f}`);
  }
  for (const rule of alertRules()) t.match(index, rule.alert, `README.md names ${rule.alert}`);
  const alertsDoc = readFileSync(join(REPO_ROOT, 'docs/alerts.md'), 'utf8');
  for (const rule of alertRules()) t.match(alertsDoc, `| ${rule.alert} |`, `docs/alerts.md lists ${rule.alert}`);
});

t.test('links between runbooks point at sections that exist', async (t) => {
  for (const f of readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(RUNBOOKS, f), 'utf8');
    for (const m of text.matchAll(/\]\(([\w-]+\.md)?#([^)]+)\)/g)) {
      const target = join(RUNBOOKS, m[1] ?? f);
      const anchor = m[2] ?? '';
      t.ok(existsSync(target) && markdownAnchors(target).has(anchor), `${f}: link ${m[1] ?? ''}#${anchor}`);
    }
  }
});

t.test('GitHub anchors are computed as GitHub does', async (t) => {
  t.equal(githubAnchor('connection_refused'), 'connection_refused');
  t.equal(githubAnchor('Sentinel down'), 'sentinel-down');
  t.equal(githubAnchor('What happens to data meanwhile'), 'what-happens-to-data-meanwhile');
  t.equal(githubAnchor('Runbook: `tls`, the TLS handshake fails'), 'runbook-tls-the-tls-handshake-fails');
});
