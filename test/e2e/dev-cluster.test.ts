/**
 * `dynamo dev-cluster` as a user runs it: real node processes, options after `--` reaching every
 * node, options it sets itself refused, a node that cannot start ending the wait at once, and a
 * node killed the moment every node serves leaving the others running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { ownNodeOption } from '../../src/cli/dev-cluster.js';

const BIN = resolve(import.meta.dirname, '../../bin/dynamo.js');
const BASE = 28_000;
const dataRoot = mkdtempSync(join(tmpdir(), 'dynamo-dev-cluster-test-'));
const started: ChildProcess[] = [];

after(async () => {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataRoot, { recursive: true, force: true });
});

/** Starts dev-cluster; resolves with its output once it prints `ready` or exits. */
function devCluster(args: string[]): Promise<{ child: ChildProcess; output: string; exitCode: number | null }> {
  const child = spawn(process.execPath, [BIN, 'dev-cluster', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  return new Promise((done) => {
    const collect = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('ready')) done({ child, output, exitCode: null });
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => done({ child, output, exitCode: code }));
  });
}

test('ownNodeOption names the first node option dev-cluster sets itself, in either spelling', () => {
  assert.equal(ownNodeOption(['--fsync', 'always', '--port', '1']), '--port');
  assert.equal(ownNodeOption(['--data=/x']), '--data');
  assert.equal(ownNodeOption(['--fsync', 'always', '--max-value-bytes', '10']), undefined);
  assert.equal(ownNodeOption([]), undefined);
});

test('options after -- reach every node', { timeout: 60_000 }, async () => {
  const { exitCode, output } = await devCluster(['--nodes', '3', '--base-port', String(BASE), '--storage', 'memory', '--data', join(dataRoot, 'a'), '--', '--max-value-bytes', '64']);
  assert.equal(exitCode, null, output);
  assert.match(output, /3 nodes ready \(storage memory, data in .*, node options: --max-value-bytes 64\)/);
  for (let i = 1; i <= 3; i++) {
    const url = `http://127.0.0.1:${BASE + 100 + i}/kv/limits/k${i}`;
    const big = await fetch(url, { method: 'PUT', body: 'x'.repeat(100) });
    assert.equal(big.status, 413, `node${i} took a value over the limit given after --`);
    const small = await fetch(url, { method: 'PUT', body: 'fits' });
    assert.ok(small.status >= 200 && small.status < 300, `node${i}: ${small.status}`);
  }
});

test('an option dev-cluster sets itself is refused before any node starts', async () => {
  const { exitCode, output } = await devCluster(['--base-port', String(BASE + 10), '--', '--port', '5']);
  assert.equal(exitCode, 2);
  assert.match(output, /dev-cluster sets --port for each node itself/);
});

test('a node that cannot start ends the wait at once, with its error', { timeout: 30_000 }, async () => {
  const startedAt = Date.now();
  const { exitCode, output } = await devCluster(['--base-port', String(BASE + 20), '--storage', 'memory', '--data', join(dataRoot, 'b'), '--', '--fsync', 'sometimes']);
  assert.equal(exitCode, 1);
  assert.match(output, /argument 'sometimes' is invalid/);
  assert.match(output, /a node exited before it ever served/);
  assert.ok(Date.now() - startedAt < 20_000, 'it waited for the whole formation timeout');
});

test('a node killed the moment every node serves is reported, and the others keep running', { timeout: 60_000 }, async () => {
  const base = BASE + 30;
  const child = spawn(process.execPath, [BIN, 'dev-cluster', '--base-port', String(base), '--storage', 'memory', '--data', join(dataRoot, 'c')], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const health = async (i: number): Promise<number> => fetch(`http://127.0.0.1:${base + 100 + i}/health`).then((r) => r.status, () => 0);
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline && (await Promise.all([1, 2, 3].map(health))).some((s) => s !== 200)) await new Promise((r) => setTimeout(r, 25));
  const status = (await (await fetch(`http://127.0.0.1:${base + 103}/status`)).json()) as { pid: number };
  process.kill(status.pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(child.exitCode, null, `dev-cluster exited after node3 was killed: ${output}`);
  for (const i of [1, 2]) assert.equal(await health(i), 200, `node${i} stopped serving after node3 was killed: ${output}`);
  assert.match(output, /node3 \(pid \d+\) exited/);
  const put = await fetch(`http://127.0.0.1:${base + 101}/kv/after/kill`, { method: 'PUT', body: 'v' });
  assert.equal(put.status, 204, 'the surviving nodes still take writes');
});
