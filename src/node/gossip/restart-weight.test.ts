/**
 * A node restarted with another --weight keeps the weight it was admitted with (refreshing it would
 * reshuffle the ring far beyond the node's own share; see MembershipAgent.refreshSelf) and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from '../../core/random.js';
import { createCrashableMemoryEngine } from '../../storage/memory.js';
import { NODE_DEFAULTS, type NodeConfig } from '../config.js';
import type { Effects } from '../effects.js';
import { DynamoNode } from '../node.js';
import { PROTOCOL_VERSION } from '../../protocol/messages.js';

type Engine = ReturnType<typeof createCrashableMemoryEngine>;

function config(weight: number): NodeConfig {
  return {
    ...NODE_DEFAULTS,
    self: { id: 'n1', address: 'n1:7000', httpAddress: 'n1:8000', clientAddress: null, weight },
    actor: 'n1:d1',
    seeds: ['n1:7000'],
  };
}

/** Boots a node on `engine` and runs its ticks for `ms`, committing its writes as the runtime does. */
function run(engine: Engine, weight: number, startMs: number, ms: number): { node: DynamoNode; warnings: string[] } {
  const node = new DynamoNode(config(weight), engine, seededRng(7), startMs);
  const warnings: string[] = [];
  const apply = (effects: Effects): void => {
    for (const log of effects.logs) if (log.level === 'warn') warnings.push(log.msg);
    for (const w of effects.writes) engine.stage(w.key, w.value, w.sortKey, w.digest);
    engine.commitSync();
  };
  apply(node.drain());
  for (let now = startMs; now <= startMs + ms; now += 100) {
    node.step({ kind: 'tick' }, now);
    apply(node.drain());
  }
  return { node, warnings };
}

const weightOf = (node: DynamoNode): number | undefined => node.membership()?.members.find((m) => m.id === 'n1')?.weight;

test('a node restarted with another weight keeps the one it was admitted with, and warns', () => {
  const engine = createCrashableMemoryEngine();
  const first = run(engine, 1, 0, 10_000);
  assert.equal(weightOf(first.node), 1, 'the node founded a cluster with weight 1');
  const again = run(engine, 3, 20_000, 2_000);
  assert.equal(weightOf(again.node), 1, 'the admitted weight is kept');
  assert.ok(again.warnings.some((w) => w.includes('weight')), `a warning names the weight: ${JSON.stringify(again.warnings)}`);
  const same = run(engine, 1, 30_000, 2_000);
  assert.deepEqual(same.warnings.filter((w) => w.includes('weight')), [], 'no warning when the weight is the same');
});

/** Two nodes wired to each other directly (messages delivered in order, at once), on their own engines. */
function pair(seed: DynamoNode, joiner: DynamoNode, engines: [Engine, Engine], warnings: string[], startMs: number, ms: number): void {
  const nodes = [seed, joiner];
  for (let now = startMs; now <= startMs + ms; now += 50) {
    for (let i = 0; i < 2; i++) {
      nodes[i]!.step({ kind: 'tick' }, now);
      let queue = [{ from: i, effects: nodes[i]!.drain() }];
      while (queue.length > 0) {
        const next: typeof queue = [];
        for (const { from, effects } of queue) {
          for (const log of effects.logs) if (log.level === 'warn' && from === 1) warnings.push(log.msg);
          for (const w of effects.writes) engines[from]!.stage(w.key, w.value, w.sortKey, w.digest);
          engines[from]!.commitSync();
          for (const m of effects.messages) {
            const to = m.to === 'n1:7000' ? 0 : 1;
            nodes[to]!.step({ kind: 'peer', from: nodes[from]!.config.self.address, envelope: { v: PROTOCOL_VERSION, from: nodes[from]!.selfId, body: m.body } }, now);
            next.push({ from: to, effects: nodes[to]!.drain() });
          }
        }
        queue = next;
      }
    }
  }
}

function nodeConfig(id: string, weight: number, actor: string): NodeConfig {
  return { ...NODE_DEFAULTS, self: { id, address: `${id}:7000`, httpAddress: `${id}:8000`, clientAddress: null, weight }, actor, seeds: ['n1:7000'] };
}

test('a wiped node that rejoins under the same id with another weight keeps the weight it was admitted with, and warns', () => {
  const seedEngine = createCrashableMemoryEngine();
  const seed = new DynamoNode(nodeConfig('n1', 1, 'n1:d1'), seedEngine, seededRng(1), 0);
  const first = createCrashableMemoryEngine();
  const warnings: string[] = [];
  pair(seed, new DynamoNode(nodeConfig('n2', 1, 'n2:d1'), first, seededRng(2), 0), [seedEngine, first], warnings, 0, 10_000);
  const admitted = (m: DynamoNode): number | undefined => m.membership()?.members.find((x) => x.id === 'n2')?.weight;
  assert.equal(admitted(seed), 1, 'n2 was admitted with weight 1');
  const ownedBefore = seed.cluster()!.members.find((m) => m.id === 'n2')!.partitions;
  // n2's data directory is wiped: a new engine and actor, no stored membership; it asks to join with weight 4.
  const wiped = createCrashableMemoryEngine();
  const again = new DynamoNode(nodeConfig('n2', 4, 'n2:d2'), wiped, seededRng(3), 20_000);
  pair(seed, again, [seedEngine, wiped], warnings, 20_000, 10_000);
  assert.equal(admitted(seed), 1, "the seed's view keeps the admitted weight");
  assert.equal(admitted(again), 1, "the rejoined node's own view too");
  assert.equal(seed.cluster()!.members.find((m) => m.id === 'n2')!.partitions, ownedBefore, 'the ring did not move');
  assert.ok(warnings.some((w) => w.includes('weight')), `the rejoined node warns about its weight: ${JSON.stringify(warnings)}`);
});
