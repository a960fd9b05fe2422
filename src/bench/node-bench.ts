/**
 * The node's own work per request, without sockets, disks or other processes: three real
 * DynamoNodes in the simulator (no faults, memory storage) under a closed loop of 50 requests in
 * flight, half reads and half context-carrying updates of 100-byte values on zipfian keys, as
 * `dynamo bench --workload a` drives a real cluster. One thread, so changes to the node's logic
 * show through without the noise of four processes sharing two cores. The simulator's own
 * bookkeeping (event queue, trace hash) is part of the figure, the same before and after a change.
 *
 *   npm run bench:node [-- --requests 200000 --rounds 3]      (add --cpu-prof to node for a profile)
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { seededRng } from '../core/random.js';
import type { VersionVector } from '../core/versions/index.js';
import type { ClientResponse } from '../protocol/requests.js';
import { SimCluster } from '../sim/cluster.js';
import { keyChooser } from './keys.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    records: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '50' },
  },
});
const requests = Number(values.requests);
const records = Number(values.records);
const concurrency = Number(values.concurrency);

const cluster = new SimCluster({ seed: 1, nodes: 3, startMs: 1_700_000_000_000 });
const nodes = cluster.nodeIds();
if (!cluster.runUntil(() => nodes.every((id) => cluster.node(id).cluster()?.members.filter((m) => m.up).length === nodes.length), 60_000)) {
  throw new Error('the simulated cluster did not form');
}
cluster.runFor(2_000);
const rng = seededRng(7);
const chooseKey = keyChooser('zipfian', records, rng);
const valuePool = Array.from({ length: 256 }, () => randomBytes(100));
const contexts: (VersionVector | undefined)[] = new Array<VersionVector | undefined>(records);

/** Runs `count` requests with `concurrency` in flight; returns the virtual-time-free wall seconds. */
function round(count: number): number {
  let issued = 0;
  let answered = 0;
  const start = performance.now();
  const next = (): void => {
    if (issued >= count) return;
    const index = chooseKey();
    const key = `user${index}`;
    const node = nodes[issued++ % nodes.length]!;
    const onReply = (response: ClientResponse): void => {
      answered++;
      if (response.ok && (response.op === 'get' || response.op === 'put')) contexts[index] = response.context;
      next();
    };
    if (rng.next() < 0.5) cluster.submit(node, { op: 'get', bucket: 'usertable', key }, onReply);
    else cluster.submit(node, { op: 'put', bucket: 'usertable', key, value: valuePool[issued & 255]!, context: contexts[index] ?? [] }, onReply);
  };
  for (let i = 0; i < concurrency; i++) next();
  cluster.runUntil(() => answered >= count, 3_600_000);
  return (performance.now() - start) / 1000;
}

round(Math.min(requests, 20_000)); // warm-up, and the records exist
for (let r = 1; r <= Number(values.rounds); r++) {
  const seconds = round(requests);
  console.log(`round ${r}: ${Math.round(requests / seconds).toLocaleString('en-US')} requests/s (${((seconds * 1e6) / requests).toFixed(1)} µs per request, all three nodes and the simulator)`);
}
