// deploy/kubernetes/ checked without a cluster: every object against the Kubernetes schemas (the
// kubernetes-models validators, generated from the Kubernetes OpenAPI), the wiring between the
// objects, the example monitors with stepwatch's own validate, and the Prometheus scrape job with
// promtool and by playing its relabelling on discovered pods. The schemas allow unknown fields
// (the API server's strict field validation is what rejects a misspelt key), so the fields that
// matter are asserted one by one below.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer } from 'kubernetes-models/v1';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = path.join(ROOT, 'deploy/kubernetes');

/** The kinds the folder uses, each with its generated validator. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

interface Manifest { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown }
interface Kustomization { resources: string[]; images?: Array<{ name: string }> }

const manifestFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return manifestFiles(full);
    return entry.name.endsWith('.yaml') && entry.name !== 'kustomization.yaml' ? [full] : [];
  });

function documents(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, [], file);
    return doc.toJS() as Manifest;
  });
}

const all = manifestFiles(DEPLOY).flatMap((file) => documents(file).map((object) => ({ file: path.relative(ROOT, file), object })));
const one = <T>(kind: string, name: string, folder = DEPLOY) =>
  (all.find(({ file, object }) => object.kind === kind && object.metadata.name === name && path.dirname(path.join(ROOT, file)) === folder)?.object ?? assert.fail(`no ${kind} ${name}`)) as unknown as T;

function validationError(object: Manifest): string | undefined {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no validator for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('deploy/kubernetes', () => {
  const deployment = one<IDeployment>('Deployment', 'stepwatch');
  const pod = deployment.spec!.template;
  const container: IContainer = pod.spec!.containers.find((c) => c.name === 'stepwatch') ?? assert.fail('no stepwatch container');
  const env = (name: string) => container.env?.find((variable) => variable.name === name);

  it('every object is valid against the Kubernetes schema of its kind', () => {
    assert.ok(all.length >= 12, `${all.length} objects`);
    for (const { file, object } of all) assert.equal(validationError(object), undefined, `${file}: ${object.kind} ${object.metadata.name}`);
  });

  it('the schema check catches a wrongly typed field and a missing required one', () => {
    const broken = structuredClone(deployment) as unknown as Manifest & { spec: { replicas: unknown } };
    broken.spec.replicas = 'three';
    assert.match(validationError(broken) ?? '', /replicas must be integer/);
    const service = structuredClone(one<Manifest & { spec: { ports: Array<Record<string, unknown>> } }>('Service', 'stepwatch'));
    delete service.spec.ports[0]!.port;
    assert.match(validationError(service) ?? '', /ports\/0 must have required property port/);
  });

  it('kustomization.yaml lists every manifest of its folder, and the folders apply on their own', () => {
    for (const folder of [DEPLOY, path.join(DEPLOY, 'postgres')]) {
      const kustomization = documents(path.join(folder, 'kustomization.yaml'))[0] as unknown as Kustomization;
      const here = readdirSync(folder).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml').sort();
      assert.deepEqual([...kustomization.resources].sort(), here, folder);
    }
    const kustomization = documents(path.join(DEPLOY, 'kustomization.yaml'))[0] as unknown as Kustomization;
    assert.deepEqual(kustomization.images?.map((image) => image.name), [container.image], 'the image name the kustomization rewrites is the Deployment\'s');
  });

  it('three replicas that one disruption at a time may take down, selected by the labels of their pods, behind a Service', () => {
    assert.equal(deployment.spec!.replicas, 3);
    const podLabels = pod.metadata!.labels!;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);
    assert.ok(matches(deployment.spec!.selector.matchLabels!));
    const pdb = one<{ spec: { maxUnavailable?: number; minAvailable?: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget', 'stepwatch');
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec!.selector.matchLabels);
    const service = one<{ spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } }>('Service', 'stepwatch');
    assert.ok(matches(service.spec.selector));
    assert.deepEqual(service.spec.ports.map((port) => [port.port, port.targetPort]), [[9464, 'http']]);
    assert.deepEqual(container.ports?.map((port) => [port.name, port.containerPort]), [['http', 9464]]);
  });

  it('probes: alive on /healthz, ready on /readyz (503 while the database is out of reach), and more time to stop than the 30 s drain', () => {
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'http' });
    assert.deepEqual(container.startupProbe?.httpGet, { path: '/healthz', port: 'http' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
    assert.ok((pod.spec!.terminationGracePeriodSeconds ?? 30) > 30);
    assert.match(readFileSync(path.join(ROOT, 'src/cli/commands/start.ts'), 'utf8'), /\(up to 30 s\)/, 'the drain is still 30 s');
    assert.deepEqual(container.args, ['start']);
  });

  it('each instance is named after its pod, listens on the pod address, reads the database URL from the Secret and its location from settings', () => {
    assert.deepEqual(env('STEPWATCH_INSTANCE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
    assert.equal(env('STEPWATCH_HOST')?.value, '0.0.0.0');
    assert.deepEqual(container.envFrom, [{ configMapRef: { name: 'stepwatch-settings' } }, { secretRef: { name: 'stepwatch' } }]);
    const secret = one<{ stringData: Record<string, string> }>('Secret', 'stepwatch');
    assert.match(secret.stringData.STEPWATCH_DATABASE_URL ?? '', /^postgres:\/\//);
    const settings = one<{ data: Record<string, string> }>('ConfigMap', 'stepwatch-settings');
    assert.equal(settings.data.STEPWATCH_LOCATION, 'default');
    for (const name of Object.keys(settings.data)) assert.equal(secret.stringData[name], undefined, `${name} is set once`);
  });

  it('mounts the monitors ConfigMap read-only where STEPWATCH_MONITORS points, and writes only to its emptyDir volumes', () => {
    const monitors = container.volumeMounts?.find((mount) => mount.name === 'monitors');
    assert.equal(monitors?.mountPath, env('STEPWATCH_MONITORS')?.value);
    assert.equal(monitors?.readOnly, true);
    assert.deepEqual(pod.spec!.volumes?.find((volume) => volume.name === 'monitors')?.configMap, { name: 'stepwatch-monitors' });
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(pod.spec!.securityContext?.runAsNonRoot, true);
    assert.equal(container.volumeMounts?.find((mount) => mount.name === 'data')?.mountPath, env('STEPWATCH_DATA_DIR')?.value);
  });

  it('the example monitors pass `stepwatch validate` with exactly the environment the pods get', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-k8s-monitors-'));
    try {
      const monitors = one<{ data: Record<string, string> }>('ConfigMap', 'stepwatch-monitors');
      for (const [file, text] of Object.entries(monitors.data)) writeFileSync(path.join(dir, file), text);
      const podEnv = { ...one<{ data: Record<string, string> }>('ConfigMap', 'stepwatch-settings').data, ...one<{ stringData: Record<string, string> }>('Secret', 'stepwatch').stringData };
      const result = await runCli(['validate', dir], { env: podEnv });
      assert.equal(result.code, 0, result.stdout + result.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the trial PostgreSQL uses the user, password and database of the stepwatch Secret\'s URL, at its Service', () => {
    const folder = path.join(DEPLOY, 'postgres');
    const url = new URL(one<{ stringData: Record<string, string> }>('Secret', 'stepwatch').stringData.STEPWATCH_DATABASE_URL!);
    const postgres = one<{ stringData: Record<string, string> }>('Secret', 'stepwatch-postgres', folder).stringData;
    assert.deepEqual([url.username, url.password, url.pathname.slice(1)], [postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, postgres.POSTGRES_DB]);
    assert.equal(`${url.hostname}:${url.port}`, `${one<Manifest>('Service', 'stepwatch-postgres', folder).metadata.name}:5432`);
  });
});

describe('deploy/kubernetes/prometheus/scrape-config.yml', () => {
  const file = path.join(DEPLOY, 'prometheus/scrape-config.yml');
  interface Relabel { source_labels?: string[]; regex?: string; action?: string; target_label?: string; replacement?: string; separator?: string }
  interface Job { job_name: string; kubernetes_sd_configs?: unknown; static_configs?: unknown; relabel_configs: Relabel[] }
  const config = documents(file)[0] as unknown as { scrape_configs: Job[] };
  const job = config.scrape_configs[0]!;

  it('promtool accepts it (with a static target in place of pod discovery, which Debian\'s promtool is built without)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-scrape-'));
    try {
      const { kubernetes_sd_configs: discovery, ...rest } = job;
      assert.ok(discovery, 'discovers pods');
      writeFileSync(path.join(dir, 'prometheus.yml'), stringify({ scrape_configs: [{ ...rest, static_configs: [{ targets: ['127.0.0.1:9464'] }] }] }));
      assert.match(execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' }), /SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Prometheus's relabelling for the actions used here: keep, drop and replace, regexes anchored.
  function relabel(labels: Record<string, string>): Record<string, string> | undefined {
    let out: Record<string, string> = { ...labels };
    for (const rule of job.relabel_configs) {
      const value = (rule.source_labels ?? []).map((label) => out[label] ?? '').join(rule.separator ?? ';');
      const match = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`).exec(value);
      const action = rule.action ?? 'replace';
      if (action === 'keep' && !match) return undefined;
      if (action === 'drop' && match) return undefined;
      if (action === 'replace' && match) out = { ...out, [rule.target_label!]: (rule.replacement ?? '$1').replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '') };
      assert.ok(['keep', 'drop', 'replace'].includes(action), `relabel action ${action} is not played here`);
    }
    return Object.fromEntries(Object.entries(out).filter(([label]) => !label.startsWith('__') || label === '__address__'));
  }

  const discovered = (pod: string, port: string, phase = 'Running') => ({
    __address__: '10.0.0.7:9464',
    __meta_kubernetes_pod_name: pod,
    __meta_kubernetes_namespace: 'stepwatch',
    __meta_kubernetes_pod_container_port_name: port,
    __meta_kubernetes_pod_phase: phase,
    __meta_kubernetes_pod_ip: '10.0.0.7',
    __meta_kubernetes_pod_node_name: 'node-1',
  });

  it('scrapes each running stepwatch pod on its http port, as instance = the pod name (STEPWATCH_INSTANCE), with no other per-pod label', () => {
    assert.equal(job.job_name, 'stepwatch');
    assert.deepEqual(relabel(discovered('stepwatch-7d9f-abcde', 'http')), { __address__: '10.0.0.7:9464', instance: 'stepwatch-7d9f-abcde', namespace: 'stepwatch' });
    assert.equal(relabel(discovered('stepwatch-7d9f-abcde', 'metrics-sidecar')), undefined);
    assert.equal(relabel(discovered('stepwatch-7d9f-abcde', 'http', 'Succeeded')), undefined);
  });

  it('selects the pods by the labels of the Deployment\'s pod template, in its namespace', () => {
    const sd = (job.kubernetes_sd_configs as Array<{ role: string; namespaces: { names: string[] }; selectors: Array<{ role: string; label: string }> }>)[0]!;
    const template = one<IDeployment>('Deployment', 'stepwatch').spec!.template.metadata!.labels!;
    assert.equal(sd.role, 'pod');
    assert.deepEqual(sd.namespaces.names, [(documents(path.join(DEPLOY, 'kustomization.yaml'))[0] as unknown as { namespace: string }).namespace]);
    const selected = Object.fromEntries(sd.selectors[0]!.label.split(',').map((pair) => pair.split('=') as [string, string]));
    for (const [key, value] of Object.entries(selected)) assert.equal(template[key], value, key);
  });
});
