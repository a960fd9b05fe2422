/**
 * The deploy files: every Kubernetes manifest validated against the Kubernetes OpenAPI schemas
 * (kubernetes-models ships them and validates offline), then checked for what the operations
 * guide promises: a headless Service the StatefulSet names, seeds from its stable DNS names,
 * readiness on /health, persistent volumes, TLS from a Secret, a PodDisruptionBudget that selects
 * the pods; a systemd unit and a Dockerfile that start the CLI.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Service } from 'kubernetes-models/v1/Service';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';

const ROOT = resolve(import.meta.dirname, '../..');
const K8S = join(ROOT, 'deploy/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, any>;
}

function manifests(): { file: string; doc: Manifest }[] {
  const out: { file: string; doc: Manifest }[] = [];
  for (const file of readdirSync(K8S).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      assert.equal(d.errors.length, 0, `${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      out.push({ file, doc: d.toJSON() as Manifest });
    }
  }
  return out;
}

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

test('every manifest validates against the Kubernetes schema of its kind', () => {
  const all = manifests();
  assert.ok(all.length >= 4, 'two services, a statefulset and a PDB');
  for (const { file, doc } of all) {
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    assert.ok(Model, `${file}: no schema for ${doc.apiVersion} ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${file}: ${doc.kind} ${doc.metadata.name} is invalid`);
  }
});

test('the validator does refuse a broken StatefulSet (it really checks)', () => {
  const set = manifests().find((m) => m.doc.kind === 'StatefulSet')!.doc;
  const broken = structuredClone(set);
  broken.spec.replicas = 'three';
  assert.throws(() => new StatefulSet(broken as any).validate());
  const noSelector = structuredClone(set);
  delete noSelector.spec.selector;
  assert.throws(() => new StatefulSet(noSelector as any).validate());
});

test('the StatefulSet has what the operations guide promises', () => {
  const all = manifests().map((m) => m.doc);
  const set = all.find((m) => m.kind === 'StatefulSet')!;
  const headless = all.find((m) => m.kind === 'Service' && m.spec.clusterIP === 'None')!;
  assert.ok(headless, 'a headless Service');
  assert.equal(set.spec.serviceName, headless.metadata.name, 'the StatefulSet names the headless Service');
  assert.equal(headless.spec.publishNotReadyAddresses, true, 'starting pods resolve before they are ready');
  const container = set.spec.template.spec.containers[0];
  const args: string[] = container.args;
  const seeds = args[args.indexOf('--seeds') + 1]!;
  for (let i = 0; i < 3; i++) assert.match(seeds, new RegExp(`dynamo-${i}\\.${headless.metadata.name}\\.\\$\\(POD_NAMESPACE\\)\\.svc\\.cluster\\.local:7000`));
  assert.equal(args[args.indexOf('--id') + 1], '$(POD_NAME)', 'the pod name is the stable node id');
  assert.equal(container.readinessProbe.httpGet.path, '/health');
  assert.equal(set.spec.volumeClaimTemplates[0].metadata.name, 'data');
  assert.ok(container.volumeMounts.some((v: { name: string; mountPath: string }) => v.name === 'data' && args.includes(v.mountPath)), 'the volume is the data directory');
  const tls = set.spec.template.spec.volumes.find((v: { secret?: unknown }) => v.secret !== undefined && (v as { name: string }).name === 'tls');
  assert.ok(tls, 'TLS from a Secret');
  const mount = container.volumeMounts.find((v: { name: string }) => v.name === 'tls');
  assert.equal(args[args.indexOf('--certs-dir') + 1], mount.mountPath);
  const pdb = all.find((m) => m.kind === 'PodDisruptionBudget')!;
  assert.deepEqual(pdb.spec.selector.matchLabels, set.spec.selector.matchLabels, 'the PDB covers the pods');
  assert.deepEqual(set.spec.template.metadata.labels, set.spec.selector.matchLabels);
});

test('the systemd unit and the Dockerfile start the CLI', () => {
  const unit = readFileSync(join(ROOT, 'deploy/systemd/dynamo.service'), 'utf8');
  for (const section of ['[Unit]', '[Service]', '[Install]']) assert.ok(unit.includes(section), section);
  assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/dynamo\/bin\/dynamo\.js start .*--data \/var\/lib\/dynamo/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  const docker = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  assert.match(docker, /^FROM node:20/m);
  assert.match(docker, /^ENTRYPOINT \["node", "\/app\/bin\/dynamo\.js"\]$/m);
  assert.match(docker, /^COPY --from=build \/app\/ui \.\/ui$/m, 'the dashboard assets are in the image');
});
