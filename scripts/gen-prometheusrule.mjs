#!/usr/bin/env node
// Writes deploy/kubernetes/prometheusrule.yaml from config/prometheus/otel-sentinel.rules.yaml, so
// the Prometheus Operator gets exactly the rules that promtool tests. With --check it writes
// nothing and exits 1 when the file on disk differs from what it would write.
//
//   node scripts/gen-prometheusrule.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, isSeq, parseDocument } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RULES_FILE = join(root, 'config/prometheus/otel-sentinel.rules.yaml');
export const PROMETHEUS_RULE_FILE = join(root, 'deploy/kubernetes/prometheusrule.yaml');

/**
 * The PrometheusRule manifest text for the given rule file text. The groups are carried over as
 * parsed nodes, so block scalars and comments keep the shape they have in the rule file.
 */
export function prometheusRuleFor(rulesText) {
  const source = parseDocument(rulesText);
  if (source.errors.length > 0) throw new Error(`${RULES_FILE}: ${source.errors[0].message}`);
  const groups = source.get('groups', true);
  if (!isSeq(groups)) {
    throw new Error(`${RULES_FILE}: expected a top-level "groups:" list, as in any Prometheus rule file`);
  }
  const manifest = new Document({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'otel-sentinel',
      labels: {
        'app.kubernetes.io/name': 'otel-sentinel',
        'app.kubernetes.io/part-of': 'otel-sentinel',
        // kube-prometheus-stack's default ruleSelector; change it to match your Prometheus.
        release: 'prometheus',
      },
    },
    spec: { groups: [] },
  });
  manifest.setIn(['spec', 'groups'], groups);
  manifest.commentBefore =
    ' GENERATED from config/prometheus/otel-sentinel.rules.yaml by scripts/gen-prometheusrule.mjs.\n' +
    ' Do not edit: change the rule file and run `node scripts/gen-prometheusrule.mjs`.';
  return manifest.toString({ lineWidth: 0 });
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const wanted = prometheusRuleFor(readFileSync(RULES_FILE, 'utf8'));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(PROMETHEUS_RULE_FILE, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== wanted) {
      console.error(`${PROMETHEUS_RULE_FILE} is out of date; run: node scripts/gen-prometheusrule.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(PROMETHEUS_RULE_FILE, wanted);
    console.log(`wrote ${PROMETHEUS_RULE_FILE}`);
  }
}
