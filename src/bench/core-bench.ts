/**
 * Throughput of the pure core, single-threaded: placement lookups (hash + partition + preference
 * list), vector clock compares, sibling-set update/sync, Merkle leaf updates. A program, not a
 * test: `npm run bench:core`. Prints one line a measure.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_SHAPE, itemHash, leafIndex, MerkleTree } from '../core/merkle/index.js';
import { admit, assignmentOf, newCluster } from '../core/membership/index.js';
import { keyHash, partitionOf, Ring } from '../core/ring/index.js';
import { compareVectors, encodeSiblingSet, fresh, sync, update, withContext, context, type VersionVector } from '../core/versions/index.js';
import { seededRng } from '../core/random.js';

function measure(name: string, unit: string, run: (n: number) => void, n: number): void {
  run(Math.min(n, 1000)); // warm up
  const start = performance.now();
  run(n);
  const seconds = (performance.now() - start) / 1000;
  console.log(`${name.padEnd(44)} ${Math.round(n / seconds).toLocaleString('en-US').padStart(12)} ${unit}/s`);
}

const rng = seededRng(1);
const spec = (i: number) => ({ id: `node-${i}`, address: `10.0.0.${i}:7000`, httpAddress: `10.0.0.${i}:8000`, clientAddress: null, weight: 1 });
let membership = newCluster(spec(0), 1024, 3);
for (let i = 1; i < 64; i++) membership = admit(membership, spec(i), 'up');
const ring = new Ring(assignmentOf(membership));
const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}-${rng.int(1e9)}`);

measure('placement (md5 + partition + preference list)', 'lookups', (n) => {
  for (let i = 0; i < n; i++) {
    const p = partitionOf(keyHash('carts', keys[i % keys.length]!), ring.partitions);
    if (ring.preferenceList(p).length === 0) throw new Error('empty preference list');
  }
}, 500_000);

const vectors: VersionVector[] = Array.from({ length: 1000 }, () =>
  ['a', 'b', 'c', 'd'].map((node) => [node, 1 + rng.int(5)] as const),
);
measure('vector clock compare (4 entries)', 'compares', (n) => {
  for (let i = 0; i < n; i++) compareVectors(vectors[i % 1000]!, vectors[(i * 7 + 3) % 1000]!);
}, 2_000_000);

const value = { data: Buffer.alloc(100, 1), timestampMs: 1 };
let server = fresh(value);
measure('sibling set update + sync (read-modify-write)', 'writes', (n) => {
  for (let i = 0; i < n; i++) {
    const next = update(withContext(context(server), value), server, `node-${i % 3}`, i);
    server = sync(server, next);
  }
}, 500_000);
measure('sibling set encode (100 B value)', 'encodes', (n) => {
  for (let i = 0; i < n; i++) encodeSiblingSet(server);
}, 500_000);

const tree = new MerkleTree(DEFAULT_SHAPE);
const hashes = keys.map((k) => keyHash('carts', k));
const digest = Buffer.alloc(16, 7);
measure('Merkle leaf update (item hash + replace)', 'updates', (n) => {
  for (let i = 0; i < n; i++) {
    const h = hashes[i % hashes.length]!;
    const item = itemHash(h, digest);
    const leaf = leafIndex(h, 10, DEFAULT_SHAPE);
    tree.replace(leaf, item, item);
    if (i % 100 === 0) tree.root();
  }
}, 500_000);
