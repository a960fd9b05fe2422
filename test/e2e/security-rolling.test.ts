/**
 * Securing a running plain cluster without downtime (docs/operations.md, "Securing a running plain
 * cluster"): three plain nodes, restarted one at a time with --tls-transitional, then one at a time
 * with --certs-dir alone, under a write-then-read loop that must see no failed request. The loop
 * sends to the nodes that are up (as a load balancer that drains a node before its restart would),
 * over HTTP or, once a node is strict, over HTTPS as root. Ports 30700-30899.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { secureFetch } from '../../src/security/https-fetch.js';
import { waitFor } from './process-cluster.js';
import { BIN, ROOT_PASSWORD, SecureCluster } from './secure-cluster.js';

type Mode = 'plain' | 'transitional' | 'strict';
const HOST = '127.0.0.1';
const BASE = 30700;
const certs = new SecureCluster(3, BASE);
const procs = new Map<number, ChildProcess>();
const mode = new Map<number, Mode>([[1, 'plain'], [2, 'plain'], [3, 'plain']]);
const available = new Set([1, 2, 3]);

after(async () => {
  for (const i of procs.keys()) await stop(i);
  await certs.stop();
});

function start(i: number, m: Mode): void {
  const args = [
    BIN, 'start', '--id', `n${i}`, '--host', HOST, '--port', String(BASE + i), '--http-port', String(BASE + 100 + i),
    '--data', join(certs.dataRoot, `n${i}`), '--seeds', certs.seeds(), '--gossip-interval-ms', '300',
    ...(m === 'plain' ? [] : ['--certs-dir', certs.certsDir(i), '--root-password-file', join(certs.dataRoot, 'root-password')]),
    ...(m === 'transitional' ? ['--tls-transitional'] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DYNAMO_LOG_LEVEL: 'warn' } });
  child.stderr!.on('data', () => undefined);
  procs.set(i, child);
  mode.set(i, m);
}

async function stop(i: number): Promise<void> {
  const child = procs.get(i);
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function request(i: number, method: string, path: string, body?: string): Promise<Response> {
  const strict = mode.get(i) === 'strict';
  const url = `${strict ? 'https' : 'http'}://${HOST}:${BASE + 100 + i}${path}`;
  return secureFetch(url, { method, timeoutMs: 10_000, ...(body === undefined ? {} : { body }), ...(strict ? { ca: certs.ca, auth: { user: 'root', password: ROOT_PASSWORD } } : {}) });
}

async function formed(): Promise<boolean> {
  for (const i of [1, 2, 3]) {
    try {
      const res = await request(i, 'GET', '/cluster');
      if (!res.ok) return false;
      const view = (await res.json()) as { members: { id: string; up: boolean }[] };
      if (!['n1', 'n2', 'n3'].every((id) => view.members.some((m) => m.id === id && m.up))) return false;
    } catch {
      return false;
    }
  }
  return true;
}

test('a plain cluster becomes secure node by node with no failed request', { timeout: 600_000 }, async () => {
  certs.makeCerts();
  for (const i of [1, 2, 3]) start(i, 'plain');
  await waitFor(formed, 60_000, 'plain cluster formed');

  let running = true;
  let ops = 0;
  const failures: string[] = [];
  const loop = (async () => {
    for (let k = 0; running; k++) {
      const nodes = [...available];
      if (nodes.length < 2) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const [writer, reader] = [nodes[k % nodes.length]!, nodes[(k + 1) % nodes.length]!];
      try {
        const put = await request(writer, 'PUT', `/kv/roll/k${k}`, `v${k}`);
        if (put.status !== 204) failures.push(`put k${k} via n${writer} (${mode.get(writer)}): ${put.status} ${await put.text()}`);
        const get = await request(reader, 'GET', `/kv/roll/k${k}`);
        const text = await get.text();
        if (get.status !== 200 || text !== `v${k}`) failures.push(`get k${k} via n${reader} (${mode.get(reader)}): ${get.status} ${text}`);
      } catch (err) {
        failures.push(`k${k}: ${(err as Error).message}`);
      }
      ops++;
    }
  })();

  let plainUserChange = 0;
  for (const target of ['transitional', 'strict'] as const) {
    for (const i of [1, 2, 3]) {
      if (target === 'strict' && i === 1) {
        const res = await request(2, 'PUT', '/admin/users/mallory', JSON.stringify({ password: 'x', role: 'admin' }));
        plainUserChange = res.status;
      }
      available.delete(i);
      await new Promise((r) => setTimeout(r, 200));
      await stop(i);
      start(i, target);
      await waitFor(formed, 60_000, `n${i} back as ${target} and the cluster formed`);
      available.add(i);
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
  running = false;
  await loop;
  console.log(`rolling conversion: ${ops} write+read pairs, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.ok(ops > 50, `only ${ops} operations ran`);
  // Secure now: no credentials, no entry; a plain peer is refused.
  assert.equal((await secureFetch(`https://${HOST}:${BASE + 101}/kv/roll/k1`, { ca: certs.ca })).status, 401);
  const users = await request(1, 'GET', '/admin/users');
  assert.equal(plainUserChange, 403, 'no user could be added while the cluster was not secure yet');
  assert.match(await users.text(), /"root"/);
});
