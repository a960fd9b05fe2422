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
