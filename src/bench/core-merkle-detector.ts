/**
 * Micro-benchmark of the pure Merkle tree and phi-accrual detector, to know what they cost on the
 * write path and in the failure-detection loop before anything is built on them:
 *   - Merkle updates/s: replace() on random leaves with a root() every 100 updates (the lazy inner
 *     rehash included), and the full per-write cost (itemHash + leafIndex + replace);
 *   - diff of two 100k-item trees that differ in 10 keys, and the remote walk's traffic;
 *   - phi evaluations/s and heartbeats/s.
 * Run: node --import tsx src/bench/core-merkle-detector.ts
 */
import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SHAPE, MerkleTree, diff, differingChildren, itemHash, leafCount, leafIndex } from '../core/merkle/index.js';
import { PhiAccrualDetector } from '../core/detector/index.js';
import { seededRng } from '../core/random.js';

const rng = seededRng(2007);
const LEAVES = leafCount(DEFAULT_SHAPE);
const PARTITION_BITS = 6;

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function time<T>(fn: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

function benchUpdates(): void {
  const ITEMS = 4096;
  const UPDATES = 1_000_000;
  const items = Array.from({ length: ITEMS }, () => randomBytes(16));
  const leaves = Array.from({ length: ITEMS }, () => rng.int(LEAVES));
  const tree = new MerkleTree();
  for (let i = 0; i < ITEMS; i++) tree.toggle(leaves[i]!, items[i]!);
  const fresh = Array.from({ length: ITEMS }, () => randomBytes(16));
  const { ms } = time(() => {
    for (let u = 0; u < UPDATES; u++) {
      const i = u % ITEMS;
      const next = fresh[(u * 7 + Math.floor(u / ITEMS)) % ITEMS]!; // differs from items[i], set one pass earlier
      tree.replace(leaves[i]!, items[i], next);
      items[i] = next;
      if (u % 100 === 99) tree.root();
    }
  });
  console.log(`merkle replace + root() every 100:       ${rate(UPDATES, ms)} (${UPDATES.toLocaleString('en-US')} updates in ${ms.toFixed(0)} ms)`);
  const { ms: bareMs } = time(() => {
    for (let u = 0; u < UPDATES; u++) {
      const i = u % ITEMS;
      const next = fresh[(u * 11 + Math.floor(u / ITEMS) + 1) % ITEMS]!;
      tree.replace(leaves[i]!, items[i], next);
      items[i] = next;
    }
    tree.root();
  });
  console.log(`merkle replace only (one root() at end): ${rate(UPDATES, bareMs)}`);

  const keys = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`bucket/key-${i}`));
  const digests = Array.from({ length: 10_000 }, () => randomBytes(16));
  const WRITES = 300_000;
  const { ms: writeMs } = time(() => {
    for (let w = 0; w < WRITES; w++) {
      const key = keys[w % keys.length]!;
      const keyHash = hash('md5', key, 'buffer');
      const before = itemHash(key, digests[w % digests.length]!);
      const after = itemHash(key, digests[(w + 1) % digests.length]!);
      tree.replace(leafIndex(keyHash, PARTITION_BITS, DEFAULT_SHAPE), before, after);
    }
    tree.root();
  });
  console.log(`per-write cost (keyHash, 2 itemHash, leafIndex, replace): ${rate(WRITES, writeMs)}`);
}

function buildTree(items: readonly { leaf: number; item: Uint8Array }[]): MerkleTree {
  const tree = new MerkleTree();
  for (const { leaf, item } of items) tree.toggle(leaf, item);
  return tree;
}

function benchDiff(): void {
  const N = 100_000;
  const CHANGES = 10;
  const items = Array.from({ length: N }, () => ({ leaf: rng.int(LEAVES), item: randomBytes(16) }));
  const { ms: buildMs, result: a } = time(() => buildTree(items));
  a.root();
  const b = a.clone();
  for (let c = 0; c < CHANGES; c++) {
    const victim = items[rng.int(N)]!;
    b.replace(victim.leaf, victim.item, randomBytes(16));
  }
  const first = time(() => diff(a, b));
  const REPEATS = 10_000;
  const { ms: steadyMs } = time(() => {
    for (let r = 0; r < REPEATS; r++) diff(a, b);
  });
  console.log(`merkle build from ${N.toLocaleString('en-US')} items:            ${buildMs.toFixed(1)} ms (+ first root: lazy)`);
  console.log(
    `diff, ${N.toLocaleString('en-US')} items, ${CHANGES} changed: ${first.ms.toFixed(3)} ms first (rehashing dirty paths), ` +
      `${((steadyMs / REPEATS) * 1000).toFixed(1)} µs steady; ${first.result.leaves.length} leaves, ${first.result.hashesCompared} hashes compared of ${LEAVES} leaves`,
  );
  let frontier = [0];
  let shipped = 1;
  const { ms: walkMs } = time(() => {
    for (let level = 0; level < DEFAULT_SHAPE.depth; level++) {
      frontier = frontier.flatMap((index) => {
        shipped += DEFAULT_SHAPE.fanout;
        return differingChildren(a, level, index, b.childHashes(level, index));
      });
    }
  });
  console.log(`remote walk: ${DEFAULT_SHAPE.depth} round trips, ${shipped} hashes shipped (${shipped * 16} bytes), ${frontier.length} leaves, ${walkMs.toFixed(3)} ms`);
  const bytes = a.serialize();
  const { ms: serMs } = time(() => MerkleTree.deserialize(a.serialize()).root());
  console.log(`serialize + deserialize + root:          ${serMs.toFixed(2)} ms (${bytes.length} bytes)`);
}

function benchDetector(): void {
  const d = new PhiAccrualDetector();
  let t = 0;
  for (let i = 0; i < 500; i++) d.heartbeat((t += 900 + rng.int(200)));
  const EVALS = 5_000_000;
  let sink = 0;
  const { ms } = time(() => {
    for (let i = 0; i < EVALS; i++) sink += d.phi(t + (i % 3000));
  });
  console.log(`phi evaluations:                          ${rate(EVALS, ms)} (checksum ${sink.toExponential(3)})`);
  const BEATS = 2_000_000;
  const { ms: beatMs } = time(() => {
    for (let i = 0; i < BEATS; i++) d.heartbeat((t += 1000));
  });
  console.log(`heartbeats recorded:                      ${rate(BEATS, beatMs)}`);
}

console.log(`node ${process.version}, shape fanout ${DEFAULT_SHAPE.fanout} depth ${DEFAULT_SHAPE.depth} (${LEAVES} leaves)`);
benchUpdates();
benchDiff();
benchDetector();
