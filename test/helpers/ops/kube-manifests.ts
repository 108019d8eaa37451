import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { REPO_ROOT } from './rule-files.js';

export const MANIFESTS_DIR = join(REPO_ROOT, 'deploy/kubernetes');

/** A Kubernetes object as read from YAML: only the fields every object has are typed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly [key: string]: unknown;
}

export interface ManifestDocument {
  readonly file: string;
  readonly index: number;
  readonly object: KubeObject;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/**
 * The schema each kind is checked against, by `apiVersion/kind`. Literal on purpose: a kind that is
 * not here is an error, so nothing ships unvalidated.
 */
export const MODELS: Readonly<Record<string, ModelClass>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Namespace': Namespace,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** kustomize's own file: not a cluster object, checked by the tests separately. */
export const KUSTOMIZATION_KEY = 'kustomize.config.k8s.io/v1beta1/Kustomization';

/**
 * Validates one object against the Kubernetes (or Prometheus Operator) schema of its kind. Throws
 * with the file and the schema errors, or on a kind it has no schema for.
 */
export function validateObject(object: KubeObject, where: string): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  if (!Model) {
    throw new Error(`${where}: unknown kind ${key}; add its schema to MODELS in test/helpers/ops/kube-manifests.ts`);
  }
  try {
    new Model(object as never).validate();
  } catch (err) {
    throw new Error(`${where}: ${key} "${object.metadata?.name}" is invalid: ${(err as Error).message}`);
  }
}

/** Every YAML file of deploy/kubernetes, sorted. */
export function manifestFiles(dir: string = MANIFESTS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every YAML document of every file of deploy/kubernetes. Throws on YAML errors. */
export function manifestDocuments(dir: string = MANIFESTS_DIR): ManifestDocument[] {
  const out: ManifestDocument[] = [];
  for (const file of manifestFiles(dir)) {
    parseAllDocuments(readFileSync(file, 'utf8')).forEach((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as KubeObject | null;
      if (object !== null) out.push({ file, index, object });
    });
  }
  return out;
}
