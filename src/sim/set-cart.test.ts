/**
 * The cart as a set bucket under faults, on many seeds: clients add unique items and remove items
 * they read (with the read's context) through random nodes, while the network drops, duplicates
 * and delays messages, splits, nodes crash and restart, and clocks are skewed. After healing:
 * - no lost add: every acknowledged add of an item no request ever tried to remove is present;
 * - no resurrected remove: an item whose remove was acknowledged is absent (items are added once);
 * - convergence: every primary holds the same set, and no read shows siblings.
 * Also expiry under clock skew: no read returns a value past its ttl plus twice the skew bound.
 * A failure prints the seed; SET_CART_SEEDS sets how many seeds run (default 24).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng, type Rng } from '../core/random.js';
import { setValue, stateOf } from '../core/crdt/index.js';
import type { ClientResponse, GetResult } from '../protocol/requests.js';
import { SimCluster } from './cluster.js';
import { expiryViolations, type ExpiringWrite, type ValueRead } from '../check/expiry.js';

const SEEDS = Number(process.env.SET_CART_SEEDS ?? 24);
const KEYS = ['u0', 'u1', 'u2', 'u3'];
const MAX_SKEW_MS = 400;

interface History {
  readonly ackedAdds: Map<string, string>;
  readonly triedRemoves: Set<string>;
  readonly ackedRemoves: Map<string, string>;
}

function formed(seed: number, nodes: number): SimCluster {
  const sim = new SimCluster({ seed, nodes, startMs: 1_700_000_000_000, config: { tombstoneGraceMs: 60_000 } });
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === nodes), 30_000), `seed ${seed}: formed`);
  return sim;
}

function injectFaults(sim: SimCluster, rng: Rng, heavy: boolean): void {
  sim.setFaults({ dropRate: heavy ? 0.08 : 0.02, duplicateRate: 0.02, minDelayMs: 1, maxDelayMs: heavy ? 200 : 60 });
  for (const id of sim.nodeIds()) sim.setClockSkew(id, rng.int(2 * MAX_SKEW_MS + 1) - MAX_SKEW_MS);
  for (let t = 1_000; t < 14_000; t += 1_500 + rng.int(2_000)) {
    const ids = sim.nodeIds();
    const victim = ids[rng.int(ids.length)]!;
    if (rng.next() < 0.5) {
      sim.at(t - (sim.nowMs - sim.startMs), 'split', () => sim.split([[victim], ids.filter((x) => x !== victim)]));
      sim.at(t - (sim.nowMs - sim.startMs) + 800 + rng.int(1_500), 'heal', () => sim.heal());
    } else {
      sim.at(t - (sim.nowMs - sim.startMs), 'crash', () => sim.isRunning(victim) && sim.runningIds().length === ids.length && sim.crash(victim));
      sim.at(t - (sim.nowMs - sim.startMs) + 500 + rng.int(2_000), 'restart', () => !sim.isRunning(victim) && sim.restart(victim));
    }
  }
}

function runClients(sim: SimCluster, rng: Rng, history: History): void {
  let item = 0;
  const ops = 160;
  for (let i = 0; i < ops; i++) {
    sim.at(100 + i * 80 + rng.int(60), 'client', () => {
      const ids = sim.nodeIds();
      const node = ids[rng.int(ids.length)]!;
      const key = KEYS[rng.int(KEYS.length)]!;
      if (rng.next() < 0.7) {
        const element = `item-${item++}`;
        sim.submit(node, { op: 'update', bucket: 'cart', key, update: { type: 'set', add: [element], remove: [] }, context: [], w: 1 + rng.int(2) }, (r) => {
          if (r.ok) history.ackedAdds.set(element, key);
        });
        return;
      }
      sim.submit(node, { op: 'get', bucket: 'cart', key }, (read) => {
        if (!read.ok || read.op !== 'get' || read.crdt?.type !== 'set' || read.crdt.value.length === 0) return;
        const victims = read.crdt.value.slice(0, 1 + rng.int(2));
        for (const v of victims) history.triedRemoves.add(v);
        const via = ids[rng.int(ids.length)]!;
        sim.submit(via, { op: 'update', bucket: 'cart', key, update: { type: 'set', add: [], remove: victims }, context: read.context }, (r) => {
          if (r.ok) for (const v of victims) history.ackedRemoves.set(v, key);
        });
      });
    });
  }
}

function asGet(r: ClientResponse, seed: number): GetResult {
  assert.ok(r.ok && r.op === 'get', `seed ${seed}: expected a read, got ${JSON.stringify(r)}`);
  return r;
}

function checkSeed(seed: number, heavy: boolean): void {
  const rng = seededRng(seed * 7919 + (heavy ? 1 : 0));
  const sim = formed(seed, 3 + rng.int(2));
  assert.ok(sim.call('n1', { op: 'setBucket', bucket: 'cart', change: { type: 'set' } }).ok, `seed ${seed}`);
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).props('cart').type === 'set'), 10_000));
  const history: History = { ackedAdds: new Map(), triedRemoves: new Set(), ackedRemoves: new Map() };
  injectFaults(sim, rng, heavy);
  runClients(sim, rng, history);
  sim.runFor(16_000);
  // Liveness phase: faults off, everyone up, anti-entropy and hints finish the job.
  sim.setFaults({ dropRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 20 });
  sim.heal();
  for (const id of sim.nodeIds()) if (!sim.isRunning(id)) sim.restart(id);
  sim.runFor(30_000);
  const node = sim.runningIds()[0]!;
  for (const key of KEYS) {
    const read = asGet(sim.call(node, { op: 'get', bucket: 'cart', key, r: 3 }), seed);
    const items = new Set(read.crdt?.type === 'set' ? read.crdt.value : []);
    for (const [element, k] of history.ackedAdds) {
      if (k === key && !history.triedRemoves.has(element)) assert.ok(items.has(element), `seed ${seed}${heavy ? ' heavy' : ''}: acknowledged add of ${element} to ${key} lost`);
    }
    for (const [element, k] of history.ackedRemoves) {
      if (k === key) assert.ok(!items.has(element), `seed ${seed}${heavy ? ' heavy' : ''}: removed ${element} came back in ${key}`);
    }
    const copies = sim.primaries('cart', key, 3).map((id) => elementsOf(sim.localData(id, 'cart', key)));
    for (const c of copies) assert.deepEqual(c, copies[0], `seed ${seed}: primaries of ${key} converged`);
    assert.deepEqual(copies[0], [...items].sort(), `seed ${seed}: the read agrees with the replicas`);
  }
  totals.adds += history.ackedAdds.size;
  totals.removes += history.ackedRemoves.size;
}

const totals = { adds: 0, removes: 0 };

function elementsOf(set: Parameters<typeof stateOf>[1]): string[] {
  const state = stateOf('set', set);
  return state.type === 'set' ? setValue(state.set) : [];
}

test(`set-bucket carts under the default faults: no lost adds, no resurrected removes, convergence (${SEEDS} seeds)`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) checkSeed(seed, false);
});

test(`set-bucket carts under heavy faults (${Math.ceil(SEEDS / 2)} seeds)`, () => {
  for (let seed = 1; seed <= Math.ceil(SEEDS / 2); seed++) checkSeed(1000 + seed, true);
  // The checks above must have had something to check.
  assert.ok(totals.adds > SEEDS * 50 && totals.removes > SEEDS * 5, `acknowledged adds ${totals.adds}, removes ${totals.removes}`);
  console.log(`# set carts: ${totals.adds} acknowledged adds and ${totals.removes} acknowledged removes checked`);
});

test('expiry under clock skew: no read returns a value past its ttl plus twice the skew bound', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const rng = seededRng(seed);
    const sim = formed(500 + seed, 3);
    for (const id of sim.nodeIds()) sim.setClockSkew(id, rng.int(2 * MAX_SKEW_MS + 1) - MAX_SKEW_MS);
    sim.setFaults({ dropRate: 0.02, duplicateRate: 0.01, minDelayMs: 1, maxDelayMs: 50 });
    const writes: ExpiringWrite[] = [];
    const reads: ValueRead[] = [];
    let expiredReads = 0;
    for (let i = 0; i < 120; i++) {
      sim.at(i * 50, 'client', () => {
        const ids = sim.nodeIds();
        const key = `s${rng.int(10)}`;
        if (rng.next() < 0.4) {
          const ttlMs = 200 + rng.int(1_500);
          const atMs = sim.nowMs;
          sim.submit(ids[rng.int(3)]!, { op: 'put', bucket: 'sessions', key, value: Buffer.from(`${key}@${atMs}`), context: [], ttlMs }, (r) => {
            if (r.ok) writes.push({ value: `${key}@${atMs}`, submittedMs: atMs, ttlMs });
          });
        } else {
          sim.submit(ids[rng.int(3)]!, { op: 'get', bucket: 'sessions', key }, (r, pending) => {
            if (!r.ok || r.op !== 'get') return;
            reads.push({ answeredMs: pending.answeredMs!, values: r.values.map((v) => Buffer.from(v.data!).toString()) });
            if (r.values.length === 0 && r.tombstone) expiredReads++;
          });
        }
      });
    }
    sim.runFor(10_000);
    assert.deepEqual(expiryViolations(writes, reads, MAX_SKEW_MS), [], `seed ${seed}: a read returned a value past its ttl plus the skew bound`);
    assert.ok(reads.some((r) => r.values.length > 0), `seed ${seed}: some reads saw live values`);
    assert.ok(expiredReads > 0, `seed ${seed}: some reads saw expired keys`);
  }
});
