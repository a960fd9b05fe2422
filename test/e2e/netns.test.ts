/**
 * Five nodes in five network namespaces joined by a bridge, each bound to its own address
 * (10.77.0.1-5, existing inside the lab's namespaces only), links impaired (netem: 2-10 ms delay
 * with jitter and 0.5% loss; on a kernel without netem, 0.5% loss through nftables), the cart
 * workload and the checker from a sixth namespace through one node's link going down and a node
 * kill; then heal: 0 lost, converged, time to converge reported. Root only (skips otherwise);
 * every namespace is removed, and everything left inside killed by PID, whatever happens.
 * The default is the short version CI runs; DYNAMO_SLOW=1 holds each phase 15 s instead of 4.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { labPrerequisites, NetLab } from '../../src/netlab/namespaces.js';
import type { LabRunResult } from '../../src/netlab/run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const missing = labPrerequisites();
const lab = new NetLab({ tag: `t${process.pid % 100000}`, nodes: 5, impairment: { delayMs: 6, jitterMs: 4, lossPercent: 0.5 } });
after(() => lab.destroy());
const onSignal = (): void => {
  lab.destroy();
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

test('5 nodes across real interfaces: a cut link and a kill, then 0 lost and converged', { skip: missing ?? false, timeout: 600_000 }, async () => {
  lab.create();
  const phaseMs = process.env.DYNAMO_SLOW === '1' ? 15_000 : 4_000;
  const child = spawn('ip', ['netns', 'exec', lab.clientNs, process.execPath, '--import', 'tsx', 'src/netlab/main.ts', '--tag', lab.options.tag, '--phase-ms', String(phaseMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no result from the lab run (exit ${code}):\n${out.slice(-3000)}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as LabRunResult;
  const counts = result.report?.counts;
  console.log(`netns: links impaired by ${lab.impairedBy}`);
  for (const f of result.faultLog) console.log(`netns: ${f}`);
  console.log(`netns: ${result.operations} operations; lost ${counts?.lost}, unconverged keys ${counts?.unconvergedKeys}; converged ${result.convergedAfterMs} ms after healing`);
  assert.deepEqual(result.problems, []);
  assert.ok(result.report !== null);
  assert.equal(counts!.lost, 0, 'no acknowledged write lost');
  assert.equal(counts!.unconvergedKeys, 0, 'every key converged');
  assert.ok(result.convergedAfterMs !== null);
  assert.ok(result.operations > 50, `the workload ran (${result.operations} operations)`);
  assert.equal(result.ok, true, JSON.stringify(result.report?.violations.slice(0, 3)));
  assert.equal(code, 0);
});
